//! Bookings (预约订单): where they come from, how they are paid, and the status machine that
//! every status change must pass.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    Captured,
    Cancelled,
    RefundPending,
    Refunded,
}

impl BookingStatus {
    pub const ALL: [Self; 5] = [
        Self::Booked,
        Self::Captured,
        Self::Cancelled,
        Self::RefundPending,
        Self::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Captured => "captured",
            Self::Cancelled => "cancelled",
            Self::RefundPending => "refund_pending",
            Self::Refunded => "refunded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Booked => "已预约",
            Self::Captured => "已采集",
            Self::Cancelled => "已取消",
            Self::RefundPending => "待退款",
            Self::Refunded => "已退款",
        }
    }
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a booking cannot go from {from} to {to}")]
    Illegal {
        from: BookingStatus,
        to: BookingStatus,
    },
    #[error("this booking is already captured; a retake needs a supervisor's approval")]
    RetakeNotApproved,
}

/// The whole status machine:
/// `booked → captured`, `booked → cancelled → refund_pending → refunded`, and
/// `captured → captured` (a retake) only with an approval.
pub fn check_transition(
    from: BookingStatus,
    to: BookingStatus,
    retake_approved: bool,
) -> Result<(), TransitionError> {
    use BookingStatus::*;
    match (from, to) {
        (Booked, Captured) | (Booked, Cancelled) | (Cancelled, RefundPending) => Ok(()),
        (RefundPending, Refunded) => Ok(()),
        (Captured, Captured) if retake_approved => Ok(()),
        (Captured, Captured) => Err(TransitionError::RetakeNotApproved),
        _ => Err(TransitionError::Illegal { from, to }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingSource {
    MiniProgram,
    WalkIn,
}

impl BookingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MiniProgram => "mini_program",
            Self::WalkIn => "walk_in",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::MiniProgram, Self::WalkIn]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// How an order was paid, which is also the route its refund must take (原路返回).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Wechat,
    Alipay,
    Cash,
    BankCard,
    Other,
}

impl PaymentMethod {
    pub const ALL: [Self; 5] = [
        Self::Wechat,
        Self::Alipay,
        Self::Cash,
        Self::BankCard,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wechat => "wechat",
            Self::Alipay => "alipay",
            Self::Cash => "cash",
            Self::BankCard => "bank_card",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Wechat => "微信支付",
            Self::Alipay => "支付宝",
            Self::Cash => "现金",
            Self::BankCard => "银行卡",
            Self::Other => "其他",
        }
    }

    /// Accepts the stored code or the Chinese names that order exports use.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .or(match text {
                "微信" | "微信支付" | "WeChat" | "wechat pay" => Some(Self::Wechat),
                "支付宝" | "Alipay" => Some(Self::Alipay),
                "现金" | "Cash" => Some(Self::Cash),
                "银行卡" | "银行卡支付" | "云闪付" => Some(Self::BankCard),
                "其他" | "其它" => Some(Self::Other),
                _ => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::BookingStatus::*;
    use super::*;

    #[test]
    fn legal_transitions() {
        for (from, to) in [
            (Booked, Captured),
            (Booked, Cancelled),
            (Cancelled, RefundPending),
            (RefundPending, Refunded),
        ] {
            assert_eq!(check_transition(from, to, false), Ok(()), "{from} → {to}");
        }
        assert_eq!(check_transition(Captured, Captured, true), Ok(()));
    }

    #[test]
    fn retake_needs_approval() {
        assert_eq!(
            check_transition(Captured, Captured, false),
            Err(TransitionError::RetakeNotApproved)
        );
    }

    #[test]
    fn every_other_transition_is_illegal() {
        let legal = [
            (Booked, Captured),
            (Booked, Cancelled),
            (Cancelled, RefundPending),
            (RefundPending, Refunded),
            (Captured, Captured),
        ];
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                if legal.contains(&(from, to)) {
                    continue;
                }
                assert_eq!(
                    check_transition(from, to, true),
                    Err(TransitionError::Illegal { from, to }),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for status in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(status.as_str()), Some(status));
        }
        for method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(method.as_str()), Some(method));
        }
        assert_eq!(PaymentMethod::parse("微信"), Some(PaymentMethod::Wechat));
        assert_eq!(BookingSource::parse("walk_in"), Some(BookingSource::WalkIn));
    }
}
