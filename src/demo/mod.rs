//! The demo data set: a realistic, deterministic customer base for trying the console, for tests
//! and for benchmarks. The same seed and day give the same data, row for row.

mod names;
mod phrases;
mod simulate;

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::model::{AccountHistory, Rep, Role};

/// Bumped whenever the generator's output changes, so that cached demo files (the benchmarks')
/// are made again.
pub const VERSION: u32 = 5;

pub const DEFAULT_ACCOUNTS: u32 = 2_000;
pub const MAX_ACCOUNTS: u32 = 1_000_000;
pub const DEFAULT_SEED: u64 = 1;

#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    pub accounts: u32,
    pub seed: u64,
    pub today: NaiveDate,
}

/// The team: 8 to 15 reps. The first is the admin, the next one or two are leads; with twelve or
/// more, the last has left and owns nothing (real teams have such rows).
pub fn reps(seed: u64) -> Vec<Rep> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let count = rng.random_range(8..=15);
    let leads = rng.random_range(1..=2);
    names::REPS[..count]
        .iter()
        .enumerate()
        .map(|(i, &(login, display_name))| Rep {
            login: login.to_string(),
            display_name: display_name.to_string(),
            role: match i {
                0 => Role::Admin,
                i if i <= leads => Role::Lead,
                _ => Role::Rep,
            },
            active: !(count >= 12 && i == count - 1),
        })
        .collect()
}

/// The accounts, generated one at a time as they are consumed, so that a million of them never
/// sit in memory together.
pub fn accounts<'a>(spec: &DemoSpec, reps: &'a [Rep]) -> impl Iterator<Item = AccountHistory> + 'a {
    let owners: Vec<&'a str> = reps
        .iter()
        .filter(|r| r.active && r.role != Role::Admin)
        .map(|r| r.login.as_str())
        .collect();
    let (seed, today) = (spec.seed, spec.today);
    (0..spec.accounts).map(move |i| {
        simulate::Simulator {
            seed,
            today,
            owners: &owners,
        }
        .account(i)
    })
}
