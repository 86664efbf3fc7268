//! The two languages of the user interface.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// From a `--lang` value or a `LANG` setting: anything starting with "en" is English; Chinese
    /// otherwise (the shops' own language is the default).
    pub fn from_setting(value: &str) -> Lang {
        if value.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings() {
        assert_eq!(Lang::from_setting("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_setting("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_setting("C"), Lang::Zh);
        assert_eq!(Lang::En.pick("订单", "order"), "order");
    }
}
