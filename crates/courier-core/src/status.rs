//! Request statuses and the moves between them.
//!
//! The table of allowed moves is the one ILL staff work by: the lender answers
//! and ships, the borrower receives, returns (loans) and completes, and either
//! end (`unfilled`, `cancelled`) closes the request.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Whether a request asks for a copy to keep or a physical item to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Non-returnable: an article or a chapter, delivered as a document.
    Copy,
    /// Returnable: a physical item; documents are rare but allowed.
    Loan,
}

impl Kind {
    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Copy => "copy",
            Kind::Loan => "loan",
        }
    }
}

impl FromStr for Kind {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "copy" => Ok(Kind::Copy),
            "loan" => Ok(Kind::Loan),
            _ => Err(UnknownWord(format!(
                "unknown request kind {s:?} (use copy or loan)"
            ))),
        }
    }
}

/// The side a library takes on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The library that supplies the item and uploads documents.
    Lender,
    /// The library that asked; its staff and its patron download.
    Borrower,
}

impl Role {
    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lender => "lender",
            Role::Borrower => "borrower",
        }
    }
}

impl FromStr for Role {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lender" => Ok(Role::Lender),
            "borrower" => Ok(Role::Borrower),
            _ => Err(UnknownWord(format!(
                "unknown role {s:?} (use lender or borrower)"
            ))),
        }
    }
}

/// A word that names no known status, kind or role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownWord(pub String);

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// New; waiting for the lender's answer.
    Pending,
    /// The lender has agreed and is preparing the item ("Will Supply / In Process").
    WillSupply,
    /// The lender has sent the item or its copy.
    Shipped,
    /// The borrower has the item or its copy.
    Received,
    /// A loaned item has been sent back (loans only).
    Returned,
    /// Done.
    Completed,
    /// The lender could not supply.
    Unfilled,
    /// The borrower withdrew the request.
    Cancelled,
}

impl Status {
    /// Every status, in the order staff use them.
    pub const ALL: [Status; 8] = [
        Status::Pending,
        Status::WillSupply,
        Status::Shipped,
        Status::Received,
        Status::Returned,
        Status::Completed,
        Status::Unfilled,
        Status::Cancelled,
    ];

    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::WillSupply => "will_supply",
            Status::Shipped => "shipped",
            Status::Received => "received",
            Status::Returned => "returned",
            Status::Completed => "completed",
            Status::Unfilled => "unfilled",
            Status::Cancelled => "cancelled",
        }
    }

    /// The name staff see on screen.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::WillSupply => "Will Supply / In Process",
            Status::Shipped => "Shipped",
            Status::Received => "Received",
            Status::Returned => "Returned",
            Status::Completed => "Completed",
            Status::Unfilled => "Unfilled",
            Status::Cancelled => "Cancelled",
        }
    }

    /// Whether the request's patron may see its attachments: from the moment
    /// the lender has shipped it.
    pub fn visible_to_patron(self) -> bool {
        matches!(
            self,
            Status::Shipped | Status::Received | Status::Returned | Status::Completed
        )
    }

    /// Whether the lender may still upload documents to the request.
    pub fn accepts_uploads(self) -> bool {
        matches!(self, Status::Pending | Status::WillSupply | Status::Shipped)
    }

    /// Checks that `role` may move a request of `kind` from `self` to `to`.
    ///
    /// A move that exists in the table but belongs to the other side is
    /// [`MoveError::Forbidden`]; a move that does not exist at all is
    /// [`MoveError::Refused`], whose message names the current status.
    pub fn check_move(self, to: Status, kind: Kind, role: Role) -> Result<(), MoveError> {
        match allowed_by(self, to, kind) {
            Some(by) if by == role => Ok(()),
            Some(by) => Err(MoveError::Forbidden { from: self, to, by }),
            None => Err(MoveError::Refused { from: self, to }),
        }
    }

    /// The statuses `role` may move a request of `kind` to from here.
    pub fn next_for(self, kind: Kind, role: Role) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|to| allowed_by(self, *to, kind) == Some(role))
            .collect()
    }
}

/// Whether moving a request to `to` from Full Request Details asks staff to
/// confirm first, in the ship prompt: only shipping a copy request that has no
/// attachment, since the article is what the borrower waits for. `attachments`
/// counts the attachments still on the request, withdrawn ones excepted.
///
/// The brief list of the Request Manager never asks, for one request or many;
/// its callers do not call this.
pub fn ship_prompt_needed(kind: Kind, to: Status, attachments: u32) -> bool {
    to == Status::Shipped && kind == Kind::Copy && attachments == 0
}

/// The side that may make a move, or `None` when the move does not exist.
fn allowed_by(from: Status, to: Status, kind: Kind) -> Option<Role> {
    use Status::*;

    match (from, to) {
        (Pending, WillSupply | Shipped | Unfilled) => Some(Role::Lender),
        (WillSupply, Shipped | Unfilled) => Some(Role::Lender),
        (Pending | WillSupply, Cancelled) => Some(Role::Borrower),
        (Shipped, Received) => Some(Role::Borrower),
        (Received, Returned) if kind == Kind::Loan => Some(Role::Borrower),
        (Received, Completed) if kind == Kind::Copy => Some(Role::Borrower),
        (Returned, Completed) => Some(Role::Borrower),
        _ => None,
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownWord(format!("unknown status {s:?}")))
    }
}

/// Why a status move was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    /// The move exists, but only the other library may make it.
    #[error("only the {} may move a request from {from} to {to}", by.as_str())]
    Forbidden { from: Status, to: Status, by: Role },
    /// The move does not exist from the current status.
    #[error("the request is {from} and cannot be moved to {to}")]
    Refused { from: Status, to: Status },
}

#[cfg(test)]
mod tests {
    use super::*;

    use Kind::*;
    use Role::*;
    use Status::*;

    #[test]
    fn lender_answers_ships_or_declines_a_pending_request() {
        for to in [WillSupply, Shipped, Unfilled] {
            assert_eq!(
                Pending.check_move(to, Copy, Lender),
                Ok(()),
                "pending -> {to}"
            );
        }
    }

    #[test]
    fn lender_ships_or_declines_from_will_supply() {
        assert_eq!(WillSupply.check_move(Shipped, Copy, Lender), Ok(()));
        assert_eq!(WillSupply.check_move(Unfilled, Loan, Lender), Ok(()));
    }

    #[test]
    fn only_the_borrower_cancels_and_only_before_shipping() {
        assert_eq!(Pending.check_move(Cancelled, Copy, Borrower), Ok(()));
        assert_eq!(WillSupply.check_move(Cancelled, Copy, Borrower), Ok(()));
        assert_eq!(
            Pending.check_move(Cancelled, Copy, Lender),
            Err(MoveError::Forbidden {
                from: Pending,
                to: Cancelled,
                by: Borrower
            })
        );
        assert_eq!(
            Shipped.check_move(Cancelled, Copy, Borrower),
            Err(MoveError::Refused {
                from: Shipped,
                to: Cancelled
            })
        );
    }

    #[test]
    fn borrower_receives_then_completes_a_copy() {
        assert_eq!(Shipped.check_move(Received, Copy, Borrower), Ok(()));
        assert_eq!(Received.check_move(Completed, Copy, Borrower), Ok(()));
        assert_eq!(
            Received.check_move(Returned, Copy, Borrower),
            Err(MoveError::Refused {
                from: Received,
                to: Returned
            })
        );
    }

    #[test]
    fn borrower_returns_a_loan_before_completing_it() {
        assert_eq!(Received.check_move(Returned, Loan, Borrower), Ok(()));
        assert_eq!(Returned.check_move(Completed, Loan, Borrower), Ok(()));
        assert_eq!(
            Received.check_move(Completed, Loan, Borrower),
            Err(MoveError::Refused {
                from: Received,
                to: Completed
            })
        );
    }

    #[test]
    fn the_lender_cannot_receive_and_the_borrower_cannot_ship() {
        assert!(matches!(
            Shipped.check_move(Received, Copy, Lender),
            Err(MoveError::Forbidden { .. })
        ));
        assert!(matches!(
            Pending.check_move(Shipped, Copy, Borrower),
            Err(MoveError::Forbidden { .. })
        ));
    }

    #[test]
    fn ends_and_backward_moves_are_refused_naming_the_current_status() {
        let err = Completed.check_move(Pending, Copy, Lender).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the request is completed and cannot be moved to pending"
        );
        for from in [Unfilled, Cancelled, Completed] {
            for to in Status::ALL {
                for role in [Lender, Borrower] {
                    assert!(from.check_move(to, Copy, role).is_err(), "{from} -> {to}");
                }
            }
        }
        assert!(Shipped.check_move(Pending, Copy, Lender).is_err());
        assert!(Pending.check_move(Pending, Copy, Lender).is_err());
    }

    #[test]
    fn exactly_the_moves_of_the_table_are_allowed() {
        let mut allowed = 0;
        for from in Status::ALL {
            for to in Status::ALL {
                for kind in [Copy, Loan] {
                    for role in [Lender, Borrower] {
                        allowed += usize::from(from.check_move(to, kind, role).is_ok());
                    }
                }
            }
        }
        // 5 lender moves and 4 borrower moves for each kind, less the one
        // that belongs to the other kind (received -> returned / completed).
        assert_eq!(allowed, 2 * (5 + 2 + 1) + 2 + 2);
    }

    #[test]
    fn next_moves_follow_the_table() {
        assert_eq!(
            Pending.next_for(Copy, Lender),
            vec![WillSupply, Shipped, Unfilled]
        );
        assert_eq!(Pending.next_for(Copy, Borrower), vec![Cancelled]);
        assert_eq!(Received.next_for(Loan, Borrower), vec![Returned]);
        assert!(Completed.next_for(Copy, Borrower).is_empty());
    }

    #[test]
    fn words_round_trip_and_unknown_words_are_refused() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("lost".parse::<Status>().is_err());
        assert_eq!(WillSupply.label(), "Will Supply / In Process");
        assert_eq!(
            serde_json::to_string(&WillSupply).unwrap(),
            "\"will_supply\""
        );
    }

    #[test]
    fn patrons_see_attachments_from_shipping_on() {
        assert!(!Pending.visible_to_patron());
        assert!(!WillSupply.visible_to_patron());
        assert!(Shipped.visible_to_patron());
        assert!(Received.visible_to_patron());
        assert!(!Cancelled.visible_to_patron());
    }

    #[test]
    fn shipping_a_copy_request_without_attachment_asks_first() {
        assert!(ship_prompt_needed(Copy, Shipped, 0));
    }

    #[test]
    fn shipping_a_copy_request_with_an_attachment_asks_nothing() {
        assert!(!ship_prompt_needed(Copy, Shipped, 1));
        assert!(!ship_prompt_needed(Copy, Shipped, 3));
    }

    #[test]
    fn shipping_a_loan_request_asks_nothing_even_without_attachment() {
        assert!(!ship_prompt_needed(Loan, Shipped, 0));
    }

    #[test]
    fn only_the_move_to_shipped_asks() {
        for to in Status::ALL.into_iter().filter(|s| *s != Shipped) {
            assert!(!ship_prompt_needed(Copy, to, 0), "{to}");
        }
    }

    #[test]
    fn uploads_are_accepted_until_shipped() {
        let open: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.accepts_uploads())
            .collect();
        assert_eq!(open, vec![Pending, WillSupply, Shipped]);
    }
}
