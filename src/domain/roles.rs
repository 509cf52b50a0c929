//! Who may do what at a booth: the three roles and the permissions each allows. The store checks
//! them on every change; the window only uses them to show the reason early.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    Staff,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Staff => "staff",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "operator" | "操作员" => Some(Role::Operator),
            "staff" | "工作人员" => Some(Role::Staff),
            "supervisor" | "主管" => Some(Role::Supervisor),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Operator => "操作员",
            Role::Staff => "工作人员",
            Role::Supervisor => "主管",
        }
    }

    /// Roles nest: staff can do what operators do, supervisors what staff do. A booth is often
    /// run by two people, and the one at the walk-in desk also shoots when the queue is long.
    pub fn allows(self, permission: Permission) -> bool {
        let needed = match permission {
            Permission::Capture => Role::Operator,
            Permission::CreateWalkIn => Role::Staff,
            Permission::CorrectIdentity
            | Permission::ApproveRetake
            | Permission::OverrideChecks
            | Permission::CloseOut
            | Permission::MarkRefund
            | Permission::Export
            | Permission::ImportBookings
            | Permission::ManageSchools
            | Permission::ChangeSettings
            | Permission::ManageUsers => Role::Supervisor,
        };
        self.rank() >= needed.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Operator => 0,
            Role::Staff => 1,
            Role::Supervisor => 2,
        }
    }
}

/// What a changing store call needs. Read-only calls need none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Capture,
    CreateWalkIn,
    CorrectIdentity,
    ApproveRetake,
    OverrideChecks,
    CloseOut,
    MarkRefund,
    Export,
    ImportBookings,
    ManageSchools,
    ChangeSettings,
    ManageUsers,
}

impl Permission {
    pub const ALL: [Self; 12] = [
        Self::Capture,
        Self::CreateWalkIn,
        Self::CorrectIdentity,
        Self::ApproveRetake,
        Self::OverrideChecks,
        Self::CloseOut,
        Self::MarkRefund,
        Self::Export,
        Self::ImportBookings,
        Self::ManageSchools,
        Self::ChangeSettings,
        Self::ManageUsers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Capture => "capture",
            Permission::CreateWalkIn => "create_walk_in",
            Permission::CorrectIdentity => "correct_identity",
            Permission::ApproveRetake => "approve_retake",
            Permission::OverrideChecks => "override_checks",
            Permission::CloseOut => "close_out",
            Permission::MarkRefund => "mark_refund",
            Permission::Export => "export",
            Permission::ImportBookings => "import_bookings",
            Permission::ManageSchools => "manage_schools",
            Permission::ChangeSettings => "change_settings",
            Permission::ManageUsers => "manage_users",
        }
    }
}
