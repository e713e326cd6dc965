//! Card decline codes and the class that decides what a retry queue does with them.
//!
//! The vocabulary is the processors' (Stripe's list is what most billing systems export); the
//! classes are ours. A code we do not know is treated as ambiguous and flagged so that someone
//! can classify it.

use crate::domain::text_enum::text_enum;
use serde::Serialize;

text_enum! {
    pub enum DeclineClass as "decline class" {
        /// A passing fault at the issuer or processor: retry automatically.
        Soft => "soft",
        /// Retry toward paydays.
        InsufficientFunds => "insufficient-funds",
        /// The issuer will not say why: a few retries, then ask the customer to call their bank.
        Ambiguous => "ambiguous",
        /// Nothing will work until the customer gives a new or corrected card.
        NewCard => "new-card",
        /// The customer must complete the payment themselves (3-D Secure and the like).
        Authenticate => "authenticate",
        /// The customer withdrew the mandate: never retry, most likely a cancellation.
        Revoked => "revoked",
        /// Fraud, lost or stolen card: never retry, escalate.
        Fraud => "fraud",
        /// Duplicates and test-mode declines: check for a recent successful payment first.
        Operational => "operational",
    }
}

/// Every code we know, with its class. Card-present PIN codes count as ambiguous: for a
/// subscription they mean the same as a generic decline.
pub const KNOWN_CODES: &[(&str, DeclineClass)] = &[
    ("approve_with_id", DeclineClass::Soft),
    ("issuer_not_available", DeclineClass::Soft),
    ("reenter_transaction", DeclineClass::Soft),
    ("processing_error", DeclineClass::Soft),
    ("try_again_later", DeclineClass::Soft),
    ("insufficient_funds", DeclineClass::InsufficientFunds),
    ("card_velocity_exceeded", DeclineClass::InsufficientFunds),
    (
        "withdrawal_count_limit_exceeded",
        DeclineClass::InsufficientFunds,
    ),
    ("generic_decline", DeclineClass::Ambiguous),
    ("do_not_honor", DeclineClass::Ambiguous),
    ("call_issuer", DeclineClass::Ambiguous),
    ("no_action_taken", DeclineClass::Ambiguous),
    ("incorrect_pin", DeclineClass::Ambiguous),
    ("invalid_pin", DeclineClass::Ambiguous),
    ("offline_pin_required", DeclineClass::Ambiguous),
    ("online_or_offline_pin_required", DeclineClass::Ambiguous),
    ("pin_try_exceeded", DeclineClass::Ambiguous),
    ("expired_card", DeclineClass::NewCard),
    ("incorrect_number", DeclineClass::NewCard),
    ("invalid_number", DeclineClass::NewCard),
    ("incorrect_cvc", DeclineClass::NewCard),
    ("invalid_cvc", DeclineClass::NewCard),
    ("invalid_expiry_month", DeclineClass::NewCard),
    ("invalid_expiry_year", DeclineClass::NewCard),
    ("incorrect_zip", DeclineClass::NewCard),
    ("incorrect_address", DeclineClass::NewCard),
    ("invalid_account", DeclineClass::NewCard),
    ("new_account_information_available", DeclineClass::NewCard),
    ("card_not_supported", DeclineClass::NewCard),
    ("currency_not_supported", DeclineClass::NewCard),
    ("invalid_amount", DeclineClass::NewCard),
    ("not_permitted", DeclineClass::NewCard),
    ("service_not_allowed", DeclineClass::NewCard),
    ("security_violation", DeclineClass::NewCard),
    ("transaction_not_allowed", DeclineClass::NewCard),
    ("do_not_try_again", DeclineClass::NewCard),
    ("authentication_required", DeclineClass::Authenticate),
    ("authentication_not_handled", DeclineClass::Authenticate),
    (
        "mobile_device_authentication_required",
        DeclineClass::Authenticate,
    ),
    ("revocation_of_authorization", DeclineClass::Revoked),
    ("revocation_of_all_authorizations", DeclineClass::Revoked),
    ("stop_payment_order", DeclineClass::Revoked),
    ("fraudulent", DeclineClass::Fraud),
    ("lost_card", DeclineClass::Fraud),
    ("stolen_card", DeclineClass::Fraud),
    ("merchant_blacklist", DeclineClass::Fraud),
    ("pickup_card", DeclineClass::Fraud),
    ("restricted_card", DeclineClass::Fraud),
    ("highest_risk_level", DeclineClass::Fraud),
    ("duplicate_transaction", DeclineClass::Operational),
    ("testmode_decline", DeclineClass::Operational),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub class: DeclineClass,
    /// False for a code outside [`KNOWN_CODES`]: shown flagged so that someone classifies it.
    pub known: bool,
}

/// The class of a decline code. Codes are compared without regard to case or surrounding
/// blanks, since exports are not always careful.
pub fn classify(code: &str) -> Classification {
    let code = code.trim();
    KNOWN_CODES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(code))
        .map(|&(_, class)| Classification { class, known: true })
        .unwrap_or(Classification {
            class: DeclineClass::Ambiguous,
            known: false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_codes() {
        for &class in DeclineClass::ALL {
            assert!(
                KNOWN_CODES.iter().any(|&(_, c)| c == class),
                "{class:?} has no code"
            );
        }
    }

    #[test]
    fn codes_are_listed_once() {
        let mut codes: Vec<&str> = KNOWN_CODES.iter().map(|&(c, _)| c).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
    }

    #[test]
    fn reference_examples_land_in_their_classes() {
        let cases = [
            ("processing_error", DeclineClass::Soft),
            ("insufficient_funds", DeclineClass::InsufficientFunds),
            ("do_not_honor", DeclineClass::Ambiguous),
            ("pin_try_exceeded", DeclineClass::Ambiguous),
            ("expired_card", DeclineClass::NewCard),
            ("do_not_try_again", DeclineClass::NewCard),
            ("authentication_required", DeclineClass::Authenticate),
            ("stop_payment_order", DeclineClass::Revoked),
            ("stolen_card", DeclineClass::Fraud),
            ("highest_risk_level", DeclineClass::Fraud),
            ("testmode_decline", DeclineClass::Operational),
        ];
        for (code, class) in cases {
            assert_eq!(
                classify(code),
                Classification { class, known: true },
                "{code}"
            );
        }
    }

    /// Every code of the reference table (shared/reference/decline-codes.md), written out
    /// independently of `KNOWN_CODES`, with the class the table gives it.
    #[test]
    fn every_code_of_the_reference_has_its_class() {
        use DeclineClass::*;
        let table: &[(DeclineClass, &[&str])] = &[
            (
                Soft,
                &[
                    "approve_with_id",
                    "issuer_not_available",
                    "reenter_transaction",
                    "processing_error",
                    "try_again_later",
                ],
            ),
            (
                InsufficientFunds,
                &[
                    "insufficient_funds",
                    "card_velocity_exceeded",
                    "withdrawal_count_limit_exceeded",
                ],
            ),
            (
                Ambiguous,
                &[
                    "generic_decline",
                    "do_not_honor",
                    "call_issuer",
                    "no_action_taken",
                    "incorrect_pin",
                    "invalid_pin",
                    "offline_pin_required",
                    "online_or_offline_pin_required",
                    "pin_try_exceeded",
                ],
            ),
            (
                NewCard,
                &[
                    "expired_card",
                    "incorrect_number",
                    "invalid_number",
                    "incorrect_cvc",
                    "invalid_cvc",
                    "invalid_expiry_month",
                    "invalid_expiry_year",
                    "incorrect_zip",
                    "incorrect_address",
                    "invalid_account",
                    "new_account_information_available",
                    "card_not_supported",
                    "currency_not_supported",
                    "invalid_amount",
                    "not_permitted",
                    "service_not_allowed",
                    "security_violation",
                    "transaction_not_allowed",
                    "do_not_try_again",
                ],
            ),
            (
                Authenticate,
                &[
                    "authentication_required",
                    "authentication_not_handled",
                    "mobile_device_authentication_required",
                ],
            ),
            (
                Revoked,
                &[
                    "revocation_of_authorization",
                    "revocation_of_all_authorizations",
                    "stop_payment_order",
                ],
            ),
            (
                Fraud,
                &[
                    "fraudulent",
                    "lost_card",
                    "stolen_card",
                    "merchant_blacklist",
                    "pickup_card",
                    "restricted_card",
                    "highest_risk_level",
                ],
            ),
            (Operational, &["duplicate_transaction", "testmode_decline"]),
        ];
        let mut count = 0;
        for (class, codes) in table {
            for code in *codes {
                assert_eq!(
                    classify(code),
                    Classification {
                        class: *class,
                        known: true
                    },
                    "{code}"
                );
                count += 1;
            }
        }
        assert_eq!(
            count,
            KNOWN_CODES.len(),
            "a known code is missing from the reference"
        );
    }

    #[test]
    fn case_and_blanks_do_not_matter() {
        assert_eq!(classify(" Expired_Card ").class, DeclineClass::NewCard);
    }

    #[test]
    fn an_unknown_code_is_ambiguous_and_flagged() {
        let c = classify("card_eaten_by_atm");
        assert_eq!(c.class, DeclineClass::Ambiguous);
        assert!(!c.known);
        assert!(!classify("").known);
    }
}
