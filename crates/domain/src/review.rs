//! Reviews (评价, DOMAIN.md §10): the rating of a review and whether it needs a reply (评价解释).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// 好评 / 中评 / 差评.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewRating {
    /// 好评
    Good,
    /// 中评
    Neutral,
    /// 差评
    Bad,
}

impl ReviewRating {
    pub const ALL: [ReviewRating; 3] = [ReviewRating::Good, ReviewRating::Neutral, ReviewRating::Bad];

    pub fn code(self) -> &'static str {
        match self {
            ReviewRating::Good => "good",
            ReviewRating::Neutral => "neutral",
            ReviewRating::Bad => "bad",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReviewRating::Good => "好评",
            ReviewRating::Neutral => "中评",
            ReviewRating::Bad => "差评",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ReviewRating::Good => "positive review",
            ReviewRating::Neutral => "neutral review",
            ReviewRating::Bad => "bad review",
        }
    }

    /// DOMAIN.md §10: bad and neutral reviews need a reply (评价解释) and a follow-up; a thank-you for
    /// praise is optional.
    pub fn needs_reply(self) -> bool {
        matches!(self, ReviewRating::Neutral | ReviewRating::Bad)
    }
}

impl fmt::Display for ReviewRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown review rating {0:?}")]
pub struct UnknownReviewRating(pub String);

/// Parses a code ("bad") or the Chinese word ("差评").
impl FromStr for ReviewRating {
    type Err = UnknownReviewRating;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ReviewRating::ALL
            .into_iter()
            .find(|r| r.code() == t || r.label_zh() == t)
            .ok_or_else(|| UnknownReviewRating(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings() {
        for r in ReviewRating::ALL {
            assert_eq!(r.code().parse(), Ok(r));
            assert_eq!(r.label_zh().parse(), Ok(r));
        }
        assert!(ReviewRating::Bad.needs_reply());
        assert!(ReviewRating::Neutral.needs_reply());
        assert!(!ReviewRating::Good.needs_reply());
        assert!("一般".parse::<ReviewRating>().is_err());
    }
}
