//! Pure types and rules of zhanggui (掌柜). No I/O, no SQL, no HTTP.
//!
//! Every rule here is named as in `DOMAIN.md`: money (§ architecture), trade status and its
//! transitions (§4), refunds (§5), inventory (§6), regions of a receiver address (§12).

pub mod money;
pub mod platform;
pub mod refund;
pub mod region;
pub mod stock;
pub mod trade_status;

pub use money::{Money, MoneyParseError};
pub use platform::Platform;
pub use refund::{RefundKind, RefundStatus};
pub use region::Region;
pub use stock::{Balance, MoveKind, ReserveDecision, decide_reservation};
pub use trade_status::{IllegalTransition, TradeEvent, TradeStatus};
