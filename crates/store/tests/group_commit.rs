//! Concurrent write transactions: on SQLite writers that queue share commits (group commit). Each
//! writer's outcome must be its own: committed work is kept, work rolled back or abandoned (an
//! early return, a cancelled task) is undone, whatever the writers around it did. Runs on SQLite
//! and, when `DATABASE_URL` names a server, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use chrono::Utc;
use zhanggui_store::scratch::Scratch;
use zhanggui_store::{Db, StoreError};

/// What a writer does with its transaction after inserting its warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Commit,
    Rollback,
    /// Dropped without commit or rollback, as an early `?` return does.
    Abandon,
    /// Its statement fails (a duplicate code), then it is dropped.
    Fail,
}

fn ending(i: usize) -> Ending {
    match i % 7 {
        0 | 3 | 5 => Ending::Commit,
        1 => Ending::Rollback,
        2 | 6 => Ending::Abandon,
        _ => Ending::Fail,
    }
}

async fn writer(db: Db, company: i64, i: usize) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    tx.insert_warehouse(company, &format!("W{i:03}"), &format!("{i} 号仓")).await?;
    match ending(i) {
        Ending::Commit => {
            tx.commit().await?;
            Ok(true)
        }
        Ending::Rollback => {
            tx.rollback().await?;
            Ok(false)
        }
        Ending::Abandon => Ok(false),
        Ending::Fail => {
            // The code of the first warehouse, created before the writers started.
            let dup = tx.insert_warehouse(company, "MAIN", "重复的仓库").await;
            assert!(dup.is_err(), "a duplicate warehouse code must be refused");
            Ok(false)
        }
    }
}

async fn check(db: &Db) {
    let company = {
        let mut tx = db.begin().await.unwrap();
        let id = tx.insert_company("gc", "并发写入测试", "Asia/Shanghai", Utc::now()).await.unwrap();
        tx.insert_warehouse(id, "MAIN", "主仓").await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    for round in 0..3 {
        let offset = round * 100;
        let tasks: Vec<_> = (offset..offset + 64).map(|i| tokio::spawn(writer(db.clone(), company, i))).collect();
        let mut expected = BTreeSet::from(["MAIN".to_string()]);
        for (i, t) in (offset..).zip(tasks) {
            if t.await.unwrap().unwrap() {
                expected.insert(format!("W{i:03}"));
            }
        }
        // Earlier rounds' committed warehouses stay too.
        let mut tx = db.begin_read().await.unwrap();
        let found: BTreeSet<String> = tx.warehouses(company).await.unwrap().into_iter().map(|w| w.code).collect();
        tx.commit().await.unwrap();
        let kept: BTreeSet<String> =
            found.iter().filter(|c| *c == "MAIN" || c[1..].parse::<usize>().unwrap() >= offset).cloned().collect();
        assert_eq!(kept, expected, "round {round}: exactly the committed writers' rows are kept");
    }
    // A writer cancelled while it holds the turn is undone too, and the next one proceeds.
    let db2 = db.clone();
    let held = tokio::spawn(async move {
        let mut tx = db2.begin().await.unwrap();
        tx.insert_warehouse(company, "CANCELLED", "被取消").await.unwrap();
        std::future::pending::<()>().await;
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    held.abort();
    let _ = held.await;
    let mut tx = db.begin().await.unwrap();
    tx.insert_warehouse(company, "AFTER", "之后").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin_read().await.unwrap();
    let codes: Vec<String> = tx.warehouses(company).await.unwrap().into_iter().map(|w| w.code).collect();
    tx.commit().await.unwrap();
    assert!(codes.contains(&"AFTER".to_string()));
    assert!(!codes.contains(&"CANCELLED".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_writer_keeps_exactly_its_own_outcome_sqlite() {
    let scratch = Scratch::sqlite();
    let db = scratch.connect().await.unwrap();
    check(&db).await;
    db.close().await;
    scratch.drop_now().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn each_writer_keeps_exactly_its_own_outcome_on_one_thread() {
    let scratch = Scratch::sqlite();
    let db = scratch.connect().await.unwrap();
    check(&db).await;
    db.close().await;
    scratch.drop_now().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_writer_keeps_exactly_its_own_outcome_postgres() {
    let Ok(url) = std::env::var("DATABASE_URL") else { return };
    let scratch = Scratch::postgres(&url).await.unwrap();
    let db = scratch.connect().await.unwrap();
    check(&db).await;
    db.close().await;
    scratch.drop_now().await.unwrap();
}
