//! The metrics pane's figures.

use super::responder::Responder;
use super::response::PaneData;
use crate::domain::metrics::{self, Period};
use crate::store::StoreError;
use crate::tui::panes::metrics::MetricsData;

impl Responder {
    /// Churn, revenue, cohorts and recovery over the last twelve months.
    pub(super) fn load_metrics(&self) -> Result<PaneData, StoreError> {
        let today = self.session.today;
        let from = crate::domain::dates::twelve_months_to(today);
        let facts = self.store.metrics_facts()?;
        Ok(PaneData::Metrics(Box::new(MetricsData {
            churn: metrics::logo_churn(&facts, from, today, Period::Month),
            revenue: metrics::revenue(&facts, from, today, Period::Month),
            cohorts: metrics::cohorts(&facts, from, today),
            // The same window as `retain report recovery`'s default.
            recovery: crate::services::payments::recovery_between(
                &self.store,
                from,
                today,
                &self.session.policy,
            )?,
        })))
    }
}
