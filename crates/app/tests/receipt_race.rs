//! Receipts of one SKU arriving at the same moment all count in its moving-average cost: none of
//! them works from a cost another has already replaced. Runs on every backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::*;
use tokio::sync::Barrier;
use zhanggui_domain::Money;

const RECEIPTS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_receipts_all_count_in_the_average_cost() {
    on_every_backend("receipt_race", |cx| async move {
        let app = cx.app.clone();
        let fx = build_shop(&app).await;
        // The white tee opens at 10 units at 32.50; eight deliveries of 100 units at 40.00 arrive at once.
        warm_pool(&app, RECEIPTS).await;
        let barrier = Arc::new(Barrier::new(RECEIPTS));
        let mut tasks = Vec::new();
        for i in 0..RECEIPTS {
            let (app, actor, barrier) = (app.clone(), fx.actor.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                app.receive_stock(&actor, TEE_WHITE_L, Some("HZ"), 100, yuan("40.00"), at(i as i64)).await
            }));
        }
        for t in tasks {
            t.await.unwrap().expect("every receipt is taken");
        }
        let mut tx = app.db.begin_read().await.unwrap();
        let cost = tx.sku_by_code(fx.company_id, TEE_WHITE_L).await.unwrap().unwrap().cost;
        tx.commit().await.unwrap();
        // (10 × 32.50 + 800 × 40.00) / 810 = 39.9074…; each step rounds to the fen, so allow a fen a step.
        let exact = Money::from_fen((10 * 3250 + 800 * 4000) / 810);
        let off = (cost.fen() - exact.fen()).abs();
        assert!(off <= RECEIPTS as i64, "average cost {cost}, expected about {exact}");
        assert_eq!(fx.stock(&app, TEE_WHITE_L, "HZ").await.0, 810);
        assert_books_balance(&app, fx.company_id).await;
    })
    .await;
}
