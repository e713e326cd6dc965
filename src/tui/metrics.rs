//! What the metrics pane shows, computed on the database thread.

use crate::domain::metrics::{Cohort, PeriodChurn, PeriodRevenue};
use crate::domain::recovery::RecoveryReport;

#[derive(Debug, Clone, PartialEq)]
pub struct MetricsData {
    /// Logo churn by month, oldest first, the current month last (so far).
    pub churn: Vec<PeriodChurn>,
    /// MRR churn, NRR and GRR by month, every currency.
    pub revenue: Vec<PeriodRevenue>,
    pub cohorts: Vec<Cohort>,
    pub recovery: RecoveryReport,
}
