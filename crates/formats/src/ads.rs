//! 直通车/万相台 plan and item reports (计划报表, 商品报表), DOMAIN.md §12: 日期, 计划ID, 计划名称,
//! 主体ID, 花费, 展现量, 点击量, 点击率, 平均点击花费, 直接成交金额, 间接成交金额, 总成交金额,
//! 投入产出比, 收藏加购数. 总计/合计 rows are skipped with the other footers. total_gmv is
//! 总成交金额, or direct + indirect when the report has no such column. ctr, cpc and roi are kept as
//! exported (ctr and roi in parts per 10,000) for checking; reports recompute them from the sums.

use zhanggui_domain::Money;

use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{AdDailyRecord, RowError};
use crate::row_parser::{RowParser, read_records};
use crate::row_reader::{Cells, require};
use crate::sheet::{Sheet, SheetRow};

/// Columns of an ad report.
#[derive(Debug, Clone)]
pub struct AdReportParser {
    day: Col,
    plan_id: Col,
    plan_name: Col,
    item_id: Col,
    spend: Col,
    impressions: Col,
    clicks: Col,
    ctr: Col,
    cpc: Col,
    direct: Col,
    indirect: Col,
    total: Col,
    roi: Col,
    fav_cart: Col,
}

impl RowParser for AdReportParser {
    type Record = AdDailyRecord;
    const WANTED: &'static [&'static str] =
        &["日期", "计划ID", "计划名称", "花费", "展现量", "点击量", "直接成交金额", "总成交金额"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = AdReportParser {
            day: h.col(&["日期"]),
            plan_id: h.col(&["计划ID", "计划id"]),
            plan_name: h.col(&["计划名称"]),
            item_id: h.col(&["主体ID", "商品ID"]),
            spend: h.col(&["花费", "消耗"]),
            impressions: h.col(&["展现量"]),
            clicks: h.col(&["点击量"]),
            ctr: h.col(&["点击率"]),
            cpc: h.col(&["平均点击花费"]),
            direct: h.col(&["直接成交金额"]),
            indirect: h.col(&["间接成交金额"]),
            total: h.col(&["总成交金额"]),
            roi: h.col(&["投入产出比"]),
            fav_cart: h.col(&["收藏加购数", "总收藏加购数"]),
        };
        require(file, h, &[&p.day, &p.spend])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<AdDailyRecord, RowError> {
        let c = Cells::new(file, row);
        let direct_gmv = c.money0(&self.direct)?;
        let indirect_gmv = c.money0(&self.indirect)?;
        let total_gmv = match c.money(&self.total)? {
            Some(t) => t,
            None if self.total.idx.is_none() => direct_gmv + indirect_gmv,
            None => Money::ZERO,
        };
        Ok(AdDailyRecord {
            line: row.line,
            day: c.date(&self.day)?.ok_or_else(|| c.error(Some(&self.day), "empty"))?,
            plan_id: c.text(&self.plan_id),
            plan_name: c.text(&self.plan_name),
            item_id: c.text(&self.item_id),
            spend: c.money0(&self.spend)?,
            impressions: c.int0(&self.impressions)?,
            clicks: c.int0(&self.clicks)?,
            direct_gmv,
            indirect_gmv,
            total_gmv,
            favorites_carts: c.int0(&self.fav_cart)?,
            ctr: c.percent(&self.ctr)?,
            cpc: c.money(&self.cpc)?,
            roi: c.scaled(&self.roi, 4)?,
        })
    }
}

/// Reads a 直通车/万相台 report.
pub fn read_ad_report(sheet: &Sheet) -> Result<(Vec<AdDailyRecord>, Vec<RowError>), FileError> {
    read_records::<AdReportParser>(sheet)
}
