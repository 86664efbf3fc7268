//! Printing: friendly tables for people, JSON for programs.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::{Failure, Format};

/// A table with a header row.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(header.iter().map(|h| Cell::new(*h)).collect::<Vec<_>>());
    t
}

/// A right-aligned cell for numbers and money.
pub fn num(value: impl ToString) -> Cell {
    Cell::new(value.to_string()).set_alignment(CellAlignment::Right)
}

/// Prints `rows` as JSON, or the table `render` builds.
pub fn print<T: Serialize>(format: Format, rows: &T, render: impl FnOnce() -> Table) -> Result<(), Failure> {
    match format {
        Format::Json => {
            let text = serde_json::to_string_pretty(rows).map_err(|e| Failure::internal(e.to_string()))?;
            println!("{text}");
        }
        Format::Table => println!("{}", render()),
    }
    Ok(())
}
