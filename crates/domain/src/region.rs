//! Receiver regions (地域): province, city and district parsed from an address as exports write it
//! (DOMAIN.md §12: the first three space-separated parts of 修改后的收货地址, else 收货地址).

use serde::{Deserialize, Serialize};

/// The 34 provincial-level divisions under their full official names, as reports group them.
pub const PROVINCES: [&str; 34] = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "台湾省",
    "香港特别行政区",
    "澳门特别行政区",
];

/// Where a buyer receives goods.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Region {
    /// Full official name from [`PROVINCES`], or the text as written when it is not one.
    pub province: String,
    pub city: String,
    pub district: String,
}

/// The short form of a province name: "广西壮族自治区" → "广西", "上海市" → "上海".
fn short_name(full: &str) -> &str {
    for suffix in ["壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"]
    {
        if let Some(s) = full.strip_suffix(suffix) {
            return s;
        }
    }
    full
}

/// The official full name of a province written in any usual form ("浙江", "浙江省", "广西壮族自治区").
pub fn canonical_province(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    PROVINCES.iter().copied().find(|full| *full == t || short_name(full) == t || short_name(t) == short_name(full))
}

/// Is this part of an address masked (e.g. "****", "浙***")?
fn is_masked(part: &str) -> bool {
    part.contains('*')
}

/// Parses "浙江省 杭州市 西湖区 文三路 478号" into a region. Masked parts ("****") are left empty.
/// Returns `None` when the text names no province at all.
pub fn parse_address(address: &str) -> Option<Region> {
    let mut parts = address.split([' ', '\u{3000}', '\t']).map(str::trim).filter(|p| !p.is_empty());
    let first = parts.next()?;
    if is_masked(first) {
        return None;
    }
    let province = match canonical_province(first) {
        Some(p) => p.to_string(),
        None => return None,
    };
    let mut next_part = || parts.next().filter(|p| !is_masked(p)).map(str::to_string).unwrap_or_default();
    let city = next_part();
    let district = next_part();
    Some(Region { province, city, district })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_first_three_parts() {
        let r = parse_address("浙江省 杭州市 西湖区 文三路478号华星时代广场").unwrap_or_default();
        assert_eq!(r.province, "浙江省");
        assert_eq!(r.city, "杭州市");
        assert_eq!(r.district, "西湖区");
    }

    #[test]
    fn normalises_short_province_names() {
        assert_eq!(parse_address("上海 上海市 浦东新区 张江路").map(|r| r.province), Some("上海市".into()));
        assert_eq!(canonical_province("广西"), Some("广西壮族自治区"));
        assert_eq!(canonical_province("新疆"), Some("新疆维吾尔自治区"));
        assert_eq!(canonical_province("内蒙古"), Some("内蒙古自治区"));
        assert_eq!(canonical_province("火星"), None);
    }

    #[test]
    fn masked_parts_are_left_empty() {
        let r = parse_address("广东省 深圳市 **** ****").unwrap_or_default();
        assert_eq!((r.province.as_str(), r.city.as_str(), r.district.as_str()), ("广东省", "深圳市", ""));
        assert_eq!(parse_address("**** **** ****"), None);
        assert_eq!(parse_address(""), None);
    }

    #[test]
    fn full_width_spaces_separate_too() {
        let r = parse_address("江苏省　南京市　鼓楼区　中山路").unwrap_or_default();
        assert_eq!(r.city, "南京市");
    }
}
