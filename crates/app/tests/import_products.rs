//! Importing product sheets over a catalogue that already exists, on every backend: a sheet changes
//! only what it gives (a sheet of 商家编码 and 库存 leaves properties, barcodes, costs and prices as
//! they were; an empty cell keeps the stored value too), cost and price are taken only when the
//! person importing sees costs (and the rows left out are counted), and opening stock has the same
//! upper limit as every other quantity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zhanggui_app::import::ImportSummary;
use zhanggui_app::{Actor, App};
use zhanggui_domain::{MAX_QTY, Money};
use zhanggui_formats::read_sheet_bytes;

/// Imports a product sheet given as CSV text.
async fn import(app: &App, actor: &Actor, csv: &str, with_costs: bool) -> ImportSummary {
    let sheet = read_sheet_bytes("商品资料.csv", csv.as_bytes()).unwrap();
    let (records, errors) = zhanggui_formats::products::read_products(&sheet).unwrap();
    app.import_products(actor, &sheet.name, records, &errors, with_costs, &|_| {}).await.unwrap()
}

/// (properties, barcode, cost, price) of a SKU as stored. The barcode is read where staff see it:
/// on the line of a count started (and cancelled) for that SKU.
async fn stored(app: &App, company_id: i64, code: &str) -> (String, String, Money, Money) {
    let mut tx = app.db.begin_read().await.unwrap();
    let sku = tx.sku_by_code(company_id, code).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let actor = Actor { company_id, user: "仓管-王芳".into() };
    let count = app.start_stocktake(&actor, Some("HZ"), code, t0()).await.unwrap();
    let barcode = count.lines.iter().find(|l| l.line.outer_sku_id == code).unwrap().line.barcode.clone();
    app.cancel_stocktake(&actor, &count.stocktake.code, "核对条码", t0()).await.unwrap();
    (sku.properties, barcode, sku.cost, sku.price)
}

const FULL_SHEET: &str = "商家编码,商品编码,商品标题,颜色,尺码,成本价,售价,条码,库存,仓库\n\
    TS2401-BLK-M,TS2401,纯棉圆领短袖T恤女,黑色,M,32.50,79.00,6901234500011,20,HZ\n\
    TS2401-WHT-L,TS2401,纯棉圆领短袖T恤女,白色,L,32.50,79.00,6901234500028,10,HZ\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_changes_only_what_it_gives() {
    on_every_backend("products_partial_sheet", |cx| async move {
        let app = &cx.app;
        let company_id = app.create_company("partial", "杭州暖阳服饰有限公司", "Asia/Shanghai").await.unwrap();
        app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
        let actor = Actor { company_id, user: "店长-李娜".into() };
        let s = import(app, &actor, FULL_SHEET, true).await;
        assert_eq!((s.inserted, s.rejected), (2, 0), "{:?}", s.rejects);
        let black = stored(app, company_id, "TS2401-BLK-M").await;
        assert_eq!(
            black,
            ("颜色:黑色;尺码:M".into(), "6901234500011".into(), Money::from_fen(3250), Money::from_fen(7900))
        );

        // A stock sheet: only 商家编码 and 库存. Stock changes, nothing else does.
        let s = import(app, &actor, "商家编码,库存\nTS2401-BLK-M,18\nTS2401-WHT-L,10\n", true).await;
        assert_eq!((s.updated, s.unchanged, s.rejected), (1, 1, 0), "{:?}", s.rejects);
        assert_eq!(stored(app, company_id, "TS2401-BLK-M").await, black, "a missing column keeps the stored value");
        assert_eq!(stored(app, company_id, "TS2401-WHT-L").await.2, Money::from_fen(3250));

        // Empty cells keep the stored value; a given one replaces it.
        let s = import(app, &actor, "商家编码,成本价,售价,条码\nTS2401-BLK-M,,69.00,\n", true).await;
        assert_eq!((s.updated, s.rejected), (1, 0));
        let after = stored(app, company_id, "TS2401-BLK-M").await;
        assert_eq!(after, (black.0.clone(), black.1.clone(), Money::from_fen(3250), Money::from_fen(6900)));

        // The same sheet again changes nothing.
        let s = import(app, &actor, "商家编码,成本价,售价,条码\nTS2401-BLK-M,,69.00,\n", true).await;
        assert_eq!((s.updated, s.unchanged), (0, 1));
        assert_eq!(s.costs_ignored, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn costs_come_only_from_those_who_see_them() {
    on_every_backend("products_without_costs", |cx| async move {
        let app = &cx.app;
        let company_id = app.create_company("nocost", "杭州暖阳服饰有限公司", "Asia/Shanghai").await.unwrap();
        app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
        let manager = Actor { company_id, user: "店长-李娜".into() };
        let warehouse = Actor { company_id, user: "仓管-王芳".into() };
        import(app, &manager, FULL_SHEET, true).await;

        // The warehouse sends a full sheet with other costs and prices, new stock and a new SKU.
        let sheet = "商家编码,商品编码,商品标题,颜色,尺码,成本价,售价,条码,库存,仓库\n\
            TS2401-BLK-M,TS2401,纯棉圆领短袖T恤女,黑色,M,0.01,0.01,6901234500011,25,HZ\n\
            TS2401-WHT-L,TS2401,纯棉圆领短袖T恤女,白色,L,,,6901234500028,12,HZ\n\
            TS2401-PNK-S,TS2401,纯棉圆领短袖T恤女,粉色,S,32.50,79.00,6901234500035,8,HZ\n";
        let s = import(app, &warehouse, sheet, false).await;
        assert_eq!((s.inserted, s.updated, s.rejected), (1, 2, 0), "{:?}", s.rejects);
        assert_eq!(s.costs_ignored, 2, "two rows gave a cost or price that was left out");
        let black = stored(app, company_id, "TS2401-BLK-M").await;
        assert_eq!((black.2, black.3), (Money::from_fen(3250), Money::from_fen(7900)), "cost and price kept");
        let pink = stored(app, company_id, "TS2401-PNK-S").await;
        assert_eq!((pink.2, pink.3), (Money::ZERO, Money::ZERO), "a new SKU gets no cost from the warehouse");
        assert_eq!(pink.0, "颜色:粉色;尺码:S");
        let stock = app
            .stock_show(&manager, "TS2401-BLK-M", 0)
            .await
            .unwrap()
            .warehouses
            .iter()
            .map(|w| w.on_hand)
            .sum::<i64>();
        assert_eq!(stock, 25, "the stock column is still taken");

        // The same sheet from the manager sets them.
        let s = import(app, &manager, sheet, true).await;
        assert_eq!(s.costs_ignored, 0);
        let black = stored(app, company_id, "TS2401-BLK-M").await;
        assert_eq!((black.2, black.3), (Money::from_fen(1), Money::from_fen(1)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_stock_has_an_upper_limit() {
    on_every_backend("products_stock_limit", |cx| async move {
        let app = &cx.app;
        let company_id = app.create_company("limit", "杭州暖阳服饰有限公司", "Asia/Shanghai").await.unwrap();
        app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
        let actor = Actor { company_id, user: "店长-李娜".into() };
        let sheet = format!(
            "商家编码,商品标题,成本价,售价,库存\nBW2405-PNK-500,316不锈钢保温杯,35.00,89.90,{}\nBW2405-BLU-500,316不锈钢保温杯,35.00,89.90,{MAX_QTY}\n",
            MAX_QTY + 1
        );
        let s = import(app, &actor, &sheet, true).await;
        assert_eq!((s.inserted, s.rejected), (1, 1), "{:?}", s.rejects);
        assert_eq!((s.rejects[0].line, s.rejects[0].column.as_deref()), (2, Some("库存")));
        assert!(s.rejects[0].reason.contains("上限"), "{}", s.rejects[0].reason);
        let mut tx = app.db.begin_read().await.unwrap();
        assert!(tx.sku_by_code(company_id, "BW2405-PNK-500").await.unwrap().is_none(), "the refused row changed nothing");
        tx.commit().await.unwrap();
    })
    .await;
}
