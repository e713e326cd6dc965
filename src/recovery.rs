//! Recovery metrics over a window of months: what the payments report and the payments pane
//! both show.

use chrono::{Months, NaiveDate};

use crate::domain::recovery::RecoveryReport;
use crate::domain::retry::RetryPolicy;
use crate::store::{Store, StoreError};

/// First failures and churn in the `months` up to `today`.
pub fn report(
    store: &Store,
    today: NaiveDate,
    months: u32,
    policy: &RetryPolicy,
) -> Result<RecoveryReport, StoreError> {
    let since = today
        .checked_sub_months(Months::new(months))
        .unwrap_or(today);
    let (payments, churned) = store.recovery_inputs(since, policy)?;
    Ok(crate::domain::recovery::report(
        &payments, &churned, since, today,
    ))
}
