//! Keeping a command's SQLite work on one CPU core.
//!
//! sqlx runs every SQLite connection on a thread of its own and hands each statement to it and its
//! result back, so every statement costs two thread wake-ups. When the two threads sit on different
//! cores a wake-up costs an inter-processor interrupt, which on virtual machines is slow: measured on
//! a 2-core VM, a `SELECT 1` round trip took about 50 µs across cores and about 7 µs on one core.
//! The command line's work is sequential (one task drives the database at a time), so it loses no
//! parallelism by keeping its runtime thread and the connection threads it spawns on the core it
//! started on. Threads spawned after this call inherit the setting.
//!
//! `--all-cores` (or `ZHANGGUI_ALL_CORES=1`) turns this off. PostgreSQL commands are never pinned:
//! their server runs in other processes and the client does its I/O on the runtime thread.

/// Pins the calling thread (and the threads it spawns later) to the core it runs on. Returns the
/// core, or `None` when the platform does not allow it (the command then runs unpinned).
#[cfg(target_os = "linux")]
pub fn stay_on_current_core() -> Option<usize> {
    use nix::sched::{CpuSet, sched_getcpu, sched_setaffinity};
    use nix::unistd::Pid;
    let cpu = sched_getcpu().ok()?;
    let mut set = CpuSet::new();
    set.set(cpu).ok()?;
    sched_setaffinity(Pid::from_raw(0), &set).ok()?;
    Some(cpu)
}

#[cfg(not(target_os = "linux"))]
pub fn stay_on_current_core() -> Option<usize> {
    None
}

/// Does this database URL name SQLite (the default)?
pub fn is_sqlite(url: &str) -> bool {
    !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_sqlite_urls_are_pinned() {
        assert!(super::is_sqlite("sqlite://zhanggui.db"));
        assert!(super::is_sqlite("shop.db"));
        assert!(!super::is_sqlite("postgres://postgres@127.0.0.1/test"));
        assert!(!super::is_sqlite("postgresql://u@h/db"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pinned_thread_reports_one_allowed_core() {
        // Run in a thread of its own so the test harness's threads are left alone.
        let pinned = std::thread::spawn(|| {
            let cpu = super::stay_on_current_core()?;
            let set = nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)).ok()?;
            let allowed: Vec<usize> =
                (0..nix::sched::CpuSet::count()).filter(|c| set.is_set(*c).unwrap_or(false)).collect();
            Some((cpu, allowed))
        })
        .join();
        if let Ok(Some((cpu, allowed))) = pinned {
            assert_eq!(allowed, vec![cpu]);
        }
    }
}
