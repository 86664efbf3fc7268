//! Pure types and rules of zhanggui (掌柜). No I/O, no SQL, no HTTP.
//!
//! Every rule here is named as in `DOMAIN.md`: money (§ architecture), trade status and its
//! transitions (§4), refunds and after-sales (§5), inventory and replenishment (§6), metrics (§7), reviews (§10),
//! alerts (§2), regions of a receiver address (§12).

pub mod after_sales;
pub mod alerts;
pub mod metrics;
pub mod money;
pub mod platform;
pub mod purchase;
pub mod refund;
pub mod region;
pub mod replenishment;
pub mod review;
pub mod stock;
pub mod stocktake;
pub mod thresholds;
pub mod trade_status;

pub use after_sales::{
    AfterSalesDeadlines, DisputeOutcome, DisputeStage, IllegalRefundTransition, Party, RefundEvent, ReturnCheck,
};
pub use alerts::{Alert, AlertCode, AlertGroup, AlertSettings, Severity};
pub use metrics::{AdFigures, MetricKey, MetricValue, Ratio, RoiGrade, SalesFigures, ServiceFigures};
pub use money::{Money, MoneyParseError};
pub use platform::Platform;
pub use purchase::{ArrivalState, IllegalPurchaseTransition, PurchaseEvent, PurchaseStatus, ReceiptVariance};
pub use refund::{RefundKind, RefundStatus};
pub use region::Region;
pub use replenishment::{
    AvgDailySales, ClassPolicy, DaysOfCover, ReplenishmentLine, ReplenishmentPolicy, SalesWindow, SkuClass,
};
pub use review::ReviewRating;
pub use stock::{Balance, MAX_QTY, MAX_UNIT_COST, MoveKind, ReserveDecision, decide_reservation};
pub use stocktake::{CountDifference, CountResult, CountSummary, StocktakeStatus};
pub use thresholds::{ThresholdError, ThresholdGroup, ThresholdKey, Thresholds};
pub use trade_status::{IllegalTransition, TradeEvent, TradeStatus};
