use super::*;

fn at(s: &str) -> DateTime<Utc> {
    format!("{s}:00Z").parse().unwrap()
}

fn failed(times: &[&str], code: &str) -> History {
    History {
        first_failed_at: at(times[0]),
        attempts: times
            .iter()
            .map(|t| Attempt {
                at: at(t),
                succeeded: false,
            })
            .collect(),
        decline_code: code.into(),
        advice_code: None,
        card_updated_at: None,
        paused_until: None,
        hook_unsettled_at: None,
        recovered: false,
    }
}

fn next_of(h: &History, now: &str) -> Next {
    next(h, &RetryPolicy::default(), at(now))
}

fn retry_at(s: &str) -> Next {
    Next::RetryAt { at: at(s) }
}

#[test]
fn soft_declines_are_retried_soon_and_spaced_out_within_two_weeks() {
    let h = failed(&["2026-11-02T09:00"], "processing_error");
    assert_eq!(
        next_of(&h, "2026-11-02T10:00"),
        retry_at("2026-11-03T14:00")
    );
    let h = failed(
        &["2026-11-02T09:00", "2026-11-03T14:00"],
        "processing_error",
    );
    assert_eq!(
        next_of(&h, "2026-11-03T15:00"),
        retry_at("2026-11-05T14:00")
    );
    let seven: Vec<String> = ["02", "03", "05", "07", "09", "11", "13"]
        .iter()
        .map(|d| format!("2026-11-{d}T14:00"))
        .collect();
    let refs: Vec<&str> = seven.iter().map(String::as_str).collect();
    let h = failed(&refs, "try_again_later");
    assert_eq!(
        next_of(&h, "2026-11-13T15:00"),
        retry_at("2026-11-15T14:00")
    );
}

#[test]
fn eight_attempts_exhaust_a_payment() {
    let eight: Vec<String> = (2..=9).map(|d| format!("2026-11-{d:02}T14:00")).collect();
    let refs: Vec<&str> = eight.iter().map(String::as_str).collect();
    let h = failed(&refs, "processing_error");
    assert!(
        matches!(next_of(&h, "2026-11-09T15:00"), Next::Exhausted { why } if why.contains("8 of 8"))
    );
}

#[test]
fn the_dunning_window_and_the_network_cap_end_retries() {
    let h = failed(&["2026-10-01T09:00"], "processing_error");
    assert!(matches!(
        next_of(&h, "2026-10-31T09:00"),
        Next::Exhausted { .. }
    ));
    let policy = RetryPolicy {
        network_cap_30d: 2,
        ..RetryPolicy::default()
    };
    let h = failed(
        &["2026-11-02T09:00", "2026-11-03T09:00"],
        "processing_error",
    );
    assert!(
        matches!(next(&h, &policy, at("2026-11-03T10:00")), Next::Exhausted { why } if why.contains("networks"))
    );
}

#[test]
fn insufficient_funds_wait_for_the_next_payday() {
    let h = failed(&["2026-11-03T09:00"], "insufficient_funds");
    assert_eq!(
        next_of(&h, "2026-11-03T10:00"),
        retry_at("2026-11-15T14:00")
    );
    let h = failed(
        &["2026-11-03T09:00", "2026-11-15T14:00"],
        "insufficient_funds",
    );
    assert_eq!(
        next_of(&h, "2026-11-15T15:00"),
        retry_at("2026-12-01T14:00")
    );
    // A failure on the 14th waits for the 15th.
    let h = failed(&["2026-11-14T09:00"], "card_velocity_exceeded");
    assert_eq!(
        next_of(&h, "2026-11-14T10:00"),
        retry_at("2026-11-15T14:00")
    );
    // No payday before the end of dunning: exhausted.
    let h = failed(
        &["2026-11-02T09:00", "2026-11-15T14:00", "2026-12-01T14:00"],
        "insufficient_funds",
    );
    assert!(matches!(
        next_of(&h, "2026-12-01T15:00"),
        Next::Exhausted { .. }
    ));
}

#[test]
fn ambiguous_declines_get_a_few_tries_then_stop() {
    let h = failed(&["2026-11-02T09:00"], "do_not_honor");
    assert_eq!(
        next_of(&h, "2026-11-02T10:00"),
        retry_at("2026-11-05T14:00")
    );
    let h = failed(&["2026-11-02T09:00", "2026-11-05T14:00"], "generic_decline");
    assert_eq!(
        next_of(&h, "2026-11-05T15:00"),
        retry_at("2026-11-09T14:00")
    );
    let h = failed(
        &["2026-11-02T09:00", "2026-11-05T14:00", "2026-11-09T14:00"],
        "call_issuer",
    );
    assert!(matches!(
        next_of(&h, "2026-11-09T15:00"),
        Next::Exhausted { .. }
    ));
    // An unknown code is ambiguous.
    let h = failed(&["2026-11-02T09:00"], "issuer_on_strike");
    assert_eq!(
        next_of(&h, "2026-11-02T10:00"),
        retry_at("2026-11-05T14:00")
    );
}

#[test]
fn a_card_that_must_change_waits_for_the_update_then_is_tried_at_once() {
    let mut h = failed(&["2026-11-02T09:00"], "expired_card");
    assert_eq!(next_of(&h, "2026-11-04T09:00"), Next::WaitForCard);
    h.card_updated_at = Some(at("2026-11-05T08:30"));
    assert_eq!(
        next_of(&h, "2026-11-05T08:31"),
        retry_at("2026-11-05T08:30")
    );
    // A card updated before the last failure is the one that failed.
    h.attempts.push(Attempt {
        at: at("2026-11-05T08:35"),
        succeeded: false,
    });
    assert_eq!(next_of(&h, "2026-11-05T09:00"), Next::WaitForCard);
}

#[test]
fn authentication_revocation_and_fraud_are_never_retried_automatically() {
    let h = failed(&["2026-11-02T09:00"], "authentication_required");
    assert_eq!(next_of(&h, "2026-11-02T10:00"), Next::CustomerMustAct);
    for code in [
        "stop_payment_order",
        "revocation_of_authorization",
        "fraudulent",
        "stolen_card",
        "lost_card",
    ] {
        let h = failed(&["2026-11-02T09:00"], code);
        assert_eq!(next_of(&h, "2026-11-02T10:00"), Next::NeverRetry, "{code}");
        // Even long after: never is never, not "exhausted".
        assert_eq!(next_of(&h, "2027-01-02T10:00"), Next::NeverRetry, "{code}");
    }
}

#[test]
fn operational_declines_are_checked_once_the_next_day() {
    let h = failed(&["2026-11-02T09:00"], "duplicate_transaction");
    assert_eq!(
        next_of(&h, "2026-11-02T10:00"),
        retry_at("2026-11-03T09:00")
    );
    let h = failed(
        &["2026-11-02T09:00", "2026-11-03T09:00"],
        "testmode_decline",
    );
    assert_eq!(next_of(&h, "2026-11-03T10:00"), Next::NeverRetry);
}

#[test]
fn advice_codes_override_the_class() {
    let mut h = failed(&["2026-11-02T09:00"], "generic_decline");
    h.advice_code = Some("do_not_try_again".into());
    assert_eq!(next_of(&h, "2026-11-02T10:00"), Next::NeverRetry);
    h.advice_code = Some("confirm_card_data".into());
    assert_eq!(next_of(&h, "2026-11-02T10:00"), Next::WaitForCard);
    let mut h = failed(&["2026-11-02T09:00"], "expired_card");
    h.advice_code = Some("try_again_later".into());
    assert_eq!(
        next_of(&h, "2026-11-02T10:00"),
        retry_at("2026-11-03T14:00")
    );
    assert!(
        !RetryPolicy::default()
            .class_of("mystery", Some("try_again_later"))
            .known,
        "still flagged"
    );
}

#[test]
fn a_pause_holds_everything_until_its_day_and_success_ends_it() {
    let mut h = failed(&["2026-11-02T09:00"], "processing_error");
    h.paused_until = Some("2026-11-10".parse().unwrap());
    assert_eq!(
        next_of(&h, "2026-11-03T10:00"),
        Next::Paused {
            until: "2026-11-10".parse().unwrap()
        }
    );
    assert!(matches!(
        next_of(&h, "2026-11-10T10:00"),
        Next::RetryAt { .. }
    ));
    h.attempts.push(Attempt {
        at: at("2026-11-04T09:00"),
        succeeded: true,
    });
    assert_eq!(next_of(&h, "2026-11-04T10:00"), Next::Recovered);
}

#[test]
fn a_payment_the_billing_system_says_is_recovered_is_recovered_without_an_attempt_of_ours() {
    let mut h = failed(&["2026-11-02T09:00"], "insufficient_funds");
    h.hook_unsettled_at = Some(at("2026-11-03T09:00"));
    assert!(matches!(
        next_of(&h, "2026-11-04T10:00"),
        Next::Unsettled { .. }
    ));
    h.recovered = true;
    assert_eq!(next_of(&h, "2026-11-04T10:00"), Next::Recovered);
}

#[test]
fn planned_retries_stay_within_the_window() {
    let policy = RetryPolicy {
        within_days: 4,
        ..RetryPolicy::default()
    };
    let h = failed(
        &["2026-11-02T09:00", "2026-11-03T14:00"],
        "processing_error",
    );
    assert!(matches!(
        next(&h, &policy, at("2026-11-03T15:00")),
        Next::RetryAt { .. }
    ));
    let h = failed(
        &["2026-11-02T09:00", "2026-11-03T14:00", "2026-11-05T14:00"],
        "processing_error",
    );
    assert!(
        matches!(next(&h, &policy, at("2026-11-05T15:00")), Next::Exhausted { why } if why.contains("4-day"))
    );
}

#[test]
fn queues_follow_what_to_do_next() {
    let now = at("2026-11-05T12:00");
    assert_eq!(Queue::of(&retry_at("2026-11-05T11:00"), now), Queue::Due);
    assert_eq!(
        Queue::of(&retry_at("2026-11-06T11:00"), now),
        Queue::Scheduled
    );
    assert_eq!(Queue::of(&Next::WaitForCard, now), Queue::NewCard);
    assert_eq!(
        Queue::of(&Next::CustomerMustAct, now),
        Queue::CustomerAction
    );
    assert_eq!(Queue::of(&Next::NeverRetry, now), Queue::DoNotRetry);
    assert_eq!(
        Queue::of(&Next::Exhausted { why: String::new() }, now),
        Queue::Exhausted
    );
    assert_eq!(Queue::of(&Next::Recovered, now), Queue::Recovered);
    for &class in DeclineClass::ALL {
        assert!(!meaning(class).is_empty());
    }
}

#[test]
fn a_team_can_reclassify_a_code_and_tune_the_caps() {
    let policy = RetryPolicy::from_toml(
        "max_attempts = 4\npaydays = [1, 25]\n[classes]\nDo_Not_Honor = \"new-card\"\nbank_on_fire = \"soft\"\n",
    )
    .unwrap();
    assert_eq!(policy.max_attempts, 4);
    assert_eq!(policy.within_days, 14, "unset keys keep their defaults");
    let c = policy.class_of("do_not_honor", None);
    assert_eq!((c.class, c.known), (DeclineClass::NewCard, true));
    let c = policy.class_of("BANK_ON_FIRE", None);
    assert_eq!(
        (c.class, c.known),
        (DeclineClass::Soft, true),
        "classified by the team"
    );
    let h = failed(&["2026-11-02T09:00"], "do_not_honor");
    assert_eq!(next(&h, &policy, at("2026-11-02T10:00")), Next::WaitForCard);
    // The advice code still wins over a team's class.
    assert_eq!(
        policy
            .class_of("do_not_honor", Some("try_again_later"))
            .class,
        DeclineClass::Soft
    );
}

#[test]
fn a_bad_policy_file_says_which_setting_is_wrong() {
    for (text, says) in [
        ("max_attempts = 0", "max_attempts"),
        ("paydays = [0, 15]", "paydays"),
        ("soft_days = [3, 1]", "soft_days"),
        ("hour = 24", "hour"),
        ("[classes]\nexpired_card = \"hopeless\"", "hopeless"),
        ("max_tries = 3", "max_tries"),
    ] {
        let err = RetryPolicy::from_toml(text).unwrap_err();
        assert!(err.contains(says), "{text}: {err}");
    }
}

#[test]
fn a_payment_a_hook_may_have_charged_waits_for_a_person_whatever_else_holds() {
    let mut h = failed(&["2026-11-01T10:00"], "insufficient_funds");
    h.hook_unsettled_at = Some(at("2026-11-03T10:00"));
    // Even a new card, which otherwise retries at once, waits.
    h.card_updated_at = Some(at("2026-11-04T10:00"));
    let next = next_of(&h, "2026-11-20T10:00");
    assert_eq!(
        next,
        Next::Unsettled {
            since: at("2026-11-03T10:00")
        }
    );
    assert_eq!(Queue::of(&next, at("2026-11-20T10:00")), Queue::DoNotRetry);
}
