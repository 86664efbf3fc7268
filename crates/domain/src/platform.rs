//! Platforms a shop sells on (DOMAIN.md §1, §3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Taobao,
    Tmall,
    Jd,
    Pdd,
    Douyin,
    Other,
}

impl Platform {
    pub const ALL: [Platform; 6] =
        [Platform::Taobao, Platform::Tmall, Platform::Jd, Platform::Pdd, Platform::Douyin, Platform::Other];

    pub fn code(self) -> &'static str {
        match self {
            Platform::Taobao => "taobao",
            Platform::Tmall => "tmall",
            Platform::Jd => "jd",
            Platform::Pdd => "pdd",
            Platform::Douyin => "douyin",
            Platform::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Platform::Taobao => "淘宝",
            Platform::Tmall => "天猫",
            Platform::Jd => "京东",
            Platform::Pdd => "拼多多",
            Platform::Douyin => "抖音",
            Platform::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Platform::Taobao => "Taobao",
            Platform::Tmall => "Tmall",
            Platform::Jd => "JD",
            Platform::Pdd => "Pinduoduo",
            Platform::Douyin => "Douyin",
            Platform::Other => "Other",
        }
    }

    /// Buyers of Taobao and Tmall share one account system: a buyer who buys in a Taobao shop and a
    /// Tmall shop of the same company is one customer.
    pub fn buyer_account_system(self) -> &'static str {
        match self {
            Platform::Taobao | Platform::Tmall => "taobao",
            other => other.code(),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform {0:?} (expected taobao, tmall, jd, pdd, douyin or other)")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Platform::ALL
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(t) || p.label_zh() == t)
            .ok_or_else(|| UnknownPlatform(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.code().parse::<Platform>(), Ok(p));
            assert_eq!(p.label_zh().parse::<Platform>(), Ok(p));
        }
        assert!("amazon".parse::<Platform>().is_err());
    }

    #[test]
    fn taobao_and_tmall_share_buyers() {
        assert_eq!(Platform::Taobao.buyer_account_system(), Platform::Tmall.buyer_account_system());
        assert_ne!(Platform::Jd.buyer_account_system(), Platform::Taobao.buyer_account_system());
    }
}
