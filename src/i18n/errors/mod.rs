//! What went wrong, worded for the person at the booth. Errors stay typed where they happen
//! (domain, store, transfer, campus, camera, portrait); their English is their own `Display`,
//! which logs and the command line print, and their Chinese is written here. The window never
//! shows an error's `Display` in the Chinese UI: it asks [`Worded::worded`] or [`describe`].

use crate::config::{Language, SettingError};
use crate::domain::collection::WindowOrderError;
use crate::domain::money::AmountError;
use crate::domain::slot::SlotError;
use crate::domain::{
    BookingStatus, CaptureCodeError, CorrectableField, Field, IdNumberError, RowProblem, TextError,
    TransitionError, correction::CorrectionError,
};
use crate::store::{Refusal, StoreError};

/// Something that happened, said to a person in the window's language.
pub trait Worded: std::fmt::Display {
    /// The Chinese wording: Chinese words only, with numbers, codes and names as they are.
    fn zh(&self) -> String;

    fn worded(&self, language: Language) -> String {
        match language {
            Language::Chinese => self.zh(),
            Language::English => self.to_string(),
        }
    }
}

/// Said in Chinese when an error is a fault to log rather than something to fix at the booth.
const INTERNAL_ZH: &str = "程序内部出错，详情已记入日志：请联系技术支持";

/// Words an error that crossed a worker boundary as `anyhow`: the first typed cause in its
/// chain is worded; an unknown one is said generically in Chinese (its English is in the log).
pub fn describe(error: &anyhow::Error, language: Language) -> String {
    for cause in error.chain() {
        if let Some(text) = word_cause(cause, language) {
            return text;
        }
    }
    // A message written for people in both languages ("中文 / English", as the command line's
    // refusals are) is shown as written, not as an internal error.
    if language == Language::Chinese
        && let Some(bilingual) = error
            .chain()
            .map(|cause| cause.to_string())
            .find(|text| text.contains(" / ") && text.chars().any(is_cjk))
    {
        return bilingual;
    }
    match language {
        Language::Chinese => INTERNAL_ZH.to_string(),
        Language::English => format!("{error:#}"),
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{20000}'..='\u{3134f}')
}

fn word_cause(cause: &(dyn std::error::Error + 'static), language: Language) -> Option<String> {
    macro_rules! first_of {
        ($($kind:ty),* $(,)?) => {
            $(
                if let Some(error) = cause.downcast_ref::<$kind>() {
                    return Some(error.worded(language));
                }
            )*
        };
    }
    first_of!(
        StoreError,
        Refusal,
        crate::campus::CampusError,
        crate::campus::CampusRefusal,
        crate::transfer::import::ImportError,
        crate::transfer::table::TableError,
        crate::transfer::export::ExportError,
        crate::transfer::school_export::SchoolExportError,
        crate::camera::CameraError,
        crate::scan::image_input::ImageInputError,
        SettingError,
        TextError,
        IdNumberError,
        CaptureCodeError,
        AmountError,
        SlotError,
        WindowOrderError,
        TransitionError,
        CorrectionError,
        RowProblem,
        crate::domain::walk_in::WalkInProblem,
        crate::domain::collection::DayError,
    );
    cause
        .downcast_ref::<std::io::Error>()
        .map(|error| match language {
            Language::Chinese => io_zh(error.kind()).to_string(),
            Language::English => error.to_string(),
        })
}

/// An operating-system error by its kind, never its English text.
pub fn io_zh(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind::*;
    match kind {
        NotFound => "找不到该文件或文件夹",
        PermissionDenied => "没有权限读写该文件或文件夹",
        AlreadyExists => "该文件已存在",
        StorageFull => "磁盘已满",
        ReadOnlyFilesystem => "该磁盘只读",
        IsADirectory => "这是一个文件夹，不是文件",
        NotADirectory => "这不是文件夹",
        InvalidData | InvalidInput => "文件内容无法读取",
        UnexpectedEof => "文件不完整",
        TimedOut => "操作超时",
        _ => "读写文件失败",
    }
}

/// A field's name as the forms and the spreadsheets say it.
pub fn field_zh(field: Field) -> &'static str {
    match field {
        Field::Name => "姓名",
        Field::Sex => "性别",
        Field::IdNumber => "身份证号",
        Field::StudentNo => "学号",
        Field::School => "学校",
        Field::Department => "院系",
        Field::Major => "专业",
        Field::Level => "层次",
        Field::Phone => "手机号",
        Field::OrderNo => "订单号",
        Field::Amount => "金额",
        Field::PaidAt => "支付时间",
        Field::PaymentMethod => "支付方式",
        Field::Slot => "预约时段",
        Field::CaptureCode => "采集码",
        Field::Note => "备注",
        Field::Reason => "原因",
        Field::RefundReference => "退款凭证号",
        Field::UserName => "用户名",
    }
}

/// A field's name in the window's language.
pub fn field_name(field: Field, language: Language) -> String {
    match language {
        Language::Chinese => field_zh(field).to_string(),
        Language::English => field.to_string(),
    }
}

/// The correctable field's name in the window's language.
pub fn correctable_name(field: CorrectableField, language: Language) -> String {
    field_name(field.field(), language)
}

fn status_zh(status: BookingStatus) -> &'static str {
    status.label_zh()
}

impl Worded for TextError {
    fn zh(&self) -> String {
        match self {
            Self::Empty { field } => format!("{}为空", field_zh(*field)),
            Self::TooLong { field, max } => format!("{}超过 {max} 个字", field_zh(*field)),
            Self::ControlCharacter { field } => format!("{}含有控制字符", field_zh(*field)),
            Self::NotAFolderName { field } => {
                format!(
                    "{}不能是“.”或“..”（导出时会写到别的文件夹）",
                    field_zh(*field)
                )
            }
        }
    }
}

impl Worded for IdNumberError {
    fn zh(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("身份证号应为 18 位，实际 {n} 位"),
            Self::NotADigit { position } => format!("身份证号第 {position} 位应为数字"),
            Self::BadCheckCharacter => "身份证号最后一位应为数字或 X".to_string(),
            Self::InvalidBirthDate(date) => format!("身份证号中的出生日期 {date} 不存在"),
            Self::FutureBirthDate(date) => format!("身份证号中的出生日期 {date} 在未来"),
            Self::ChecksumMismatch { expected, found } => {
                format!("身份证号校验位应为 {expected}，实际为 {found}")
            }
        }
    }
}

impl Worded for CaptureCodeError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "采集码为空".to_string(),
            Self::TooLong { len, max } => format!("采集码过长（{len} 个字符，上限 {max}）"),
            Self::ControlCharacter { position } => {
                format!("采集码第 {position} 个字符是控制字符")
            }
            Self::PatternMismatch => "采集码格式不符合设置的规则".to_string(),
        }
    }
}

impl Worded for AmountError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "金额为空".to_string(),
            Self::NotANumber(text) => format!("“{text}”不是金额：请写成 25.00 这样的元数"),
            Self::TooManyDecimals(text) => format!("金额“{text}”的小数超过两位"),
            Self::Negative(text) => format!("金额“{text}”是负数"),
            Self::TooLarge(text) => format!("金额“{text}”过大"),
        }
    }
}

impl Worded for SlotError {
    fn zh(&self) -> String {
        format!(
            "预约时段“{}”无法识别：请写成 2026-11-02 09:00-10:00",
            self.0
        )
    }
}

impl Worded for crate::domain::collection::DayError {
    fn zh(&self) -> String {
        format!("“{}”不是日期：请写成 2026-11-02", self.0)
    }
}

impl Worded for WindowOrderError {
    fn zh(&self) -> String {
        format!("结束日期 {} 早于开始日期 {}", self.last_day, self.first_day)
    }
}

impl Worded for TransitionError {
    fn zh(&self) -> String {
        match self {
            Self::Illegal { from, to } => {
                format!("预约不能从“{}”变为“{}”", status_zh(*from), status_zh(*to))
            }
            Self::RetakeNotApproved => "该学生已采集：重拍需主管批准".to_string(),
        }
    }
}

impl Worded for CorrectionError {
    fn zh(&self) -> String {
        match self {
            Self::Text(error) => error.zh(),
            Self::IdNumber(error) => error.zh(),
            Self::NoReason => "更正须填写原因".to_string(),
        }
    }
}

impl Worded for RowProblem {
    fn zh(&self) -> String {
        match self {
            Self::Text(error) => error.zh(),
            Self::Missing(field) => format!("{}为空", field_zh(*field)),
            Self::IdNumberAsNumber => {
                "身份证号被存成了数字，末几位已丢失：请把该列设为文本".to_string()
            }
            Self::IdNumber(error) => error.zh(),
            Self::Amount(error) => error.zh(),
            Self::PaymentUnknown(method) => format!("支付方式“{method}”无法识别"),
            Self::Slot(error) => error.zh(),
            Self::CaptureCode(error) => error.zh(),
            Self::PaidAt(text) => {
                format!("支付时间“{text}”无法识别：请写成 2026-11-01 10:23:45")
            }
            Self::OtherSchool { file, given } => {
                format!("学校“{file}”不是指定的学校“{given}”")
            }
            Self::NoSchool => "学校为空：请添加学校列或指定学校".to_string(),
            Self::RepeatsRow { order_no, first } => {
                format!("订单号 {order_no} 与第 {first} 行重复")
            }
            Self::CodeTaken(Some(order)) => format!("采集码已属于订单 {order}"),
            Self::CodeTaken(None) => "采集码已属于一位现场预约的学生".to_string(),
            Self::ChangedAfterBooking { order_no, status } => format!(
                "订单 {order_no} 的状态已是“{}”：请通过信息更正修改",
                status_zh(*status)
            ),
        }
    }
}

/// A row's problems, one after another, in the window's language.
pub fn row_problems(problems: &[RowProblem], language: Language) -> String {
    let separator = match language {
        Language::Chinese => "；",
        Language::English => "; ",
    };
    problems
        .iter()
        .map(|problem| problem.worded(language))
        .collect::<Vec<_>>()
        .join(separator)
}

fn role_zh(role: &str) -> &'static str {
    match role {
        "operator" => "操作员",
        "staff" => "工作人员",
        "supervisor" => "主管",
        _ => "未登录者",
    }
}

fn action_zh(action: &str) -> &'static str {
    match action {
        "capture" => "拍摄",
        "create_walk_in" => "现场预约",
        "correct_identity" => "更正学生信息",
        "approve_retake" => "批准重拍",
        "override_checks" => "强制保存或放行",
        "close_out" => "结束采集",
        "mark_refund" => "标记退款",
        "export" => "导出",
        "import_bookings" => "导入预约",
        "manage_schools" => "管理学校与场次",
        "change_settings" => "修改设置",
        "manage_users" => "管理账户",
        "create_first_supervisor" => "再创建首个主管",
        _ => "执行此操作",
    }
}

fn record_zh(what: &str) -> &'static str {
    match what {
        "booking" => "预约",
        "order" => "订单",
        "user" => "账户",
        "school" => "学校",
        "collection window" => "采集场次",
        _ => "记录",
    }
}

impl Worded for StoreError {
    fn zh(&self) -> String {
        match self {
            Self::Corrupt { path, .. } => format!(
                "数据库 {} 未通过完整性检查，未做任何改动：请恢复备份或联系技术支持，切勿删除",
                path.display()
            ),
            Self::TooNew { path, found, known } => format!(
                "数据库 {} 由更新版本的程序写入（结构版本 {found}，本程序为 {known}）：请升级本程序",
                path.display()
            ),
            Self::Transition(error) => error.zh(),
            Self::NotFound { what, key } => format!("找不到{}“{key}”", record_zh(what)),
            Self::Refused(refusal) => refusal.zh(),
            Self::Invalid(_) => INTERNAL_ZH.to_string(),
            Self::Forbidden { role, action } => {
                format!("权限不足：{}不能{}", role_zh(role), action_zh(action))
            }
            Self::WrongPin { remaining } => {
                format!("用户名或 PIN 错误（再错 {remaining} 次将锁定）")
            }
            Self::LockedOut { until, seconds } => {
                format!("账户已锁定至 {until}（{seconds} 秒）")
            }
            Self::Sqlite(error) if crate::store::is_disk_full(error) => {
                "磁盘已满，未做任何更改：请清理磁盘后重试".to_string()
            }
            Self::Sqlite(_) => "数据库出错，未做任何更改，详情已记入日志".to_string(),
        }
    }
}

impl Worded for Refusal {
    fn zh(&self) -> String {
        match self {
            Self::CodeTaken => "该采集码已有预约".to_string(),
            Self::OrderExists(order) => format!("订单号 {order} 已存在"),
            Self::RetakeNeedsCapture => "只有已采集的学生需要批准重拍".to_string(),
            Self::WindowStillOpen {
                school,
                first_day,
                last_day,
            } => format!(
                "{school}的采集时间 {first_day} 至 {last_day} 尚未结束：结束后再结算，或选择“仍要结束”"
            ),
            Self::Disputed => "学生反映信息有误：请主管更正后再保存照片".to_string(),
            Self::NeedsOverride => "照片未通过检查：保存须由主管强制确认".to_string(),
            Self::Sealed(school) => format!("{school}已在本工位封存，不能再拍摄"),
            Self::PinRule => "PIN 须为 6–12 位数字".to_string(),
            Self::UserExists(name) => format!("账户 {name} 已存在"),
            Self::UserNameTooLong(max) => format!("用户名最多 {max} 个字"),
            Self::DisableSelf => "不能停用自己的账户".to_string(),
            Self::LastSupervisor => "这是最后一个主管账户：请先添加另一个主管再停用".to_string(),
            Self::ConfirmAfterCapture => {
                "该学生已采集：请勾选确认，更正后照片将标记为需重新导出".to_string()
            }
            Self::CampusCloseOnly => {
                "本工位已加入校区：请在每个工位封存该校，再进行校区结算".to_string()
            }
            Self::OfflineUnknownAccount => {
                "校区服务器暂不可达：本工位离线时只接受在此登录过的账户".to_string()
            }
            Self::AccountNotShared => {
                "该账户只在本工位建立，校区已有主管：请校区主管在 主管 → 账户 中添加".to_string()
            }
            Self::PhotoNotSaved {
                folder,
                disk_full: true,
                ..
            } => format!(
                "磁盘已满，照片未保存，预约未改变：请清理 {} 所在的磁盘后再保存",
                folder.display()
            ),
            Self::PhotoNotSaved { folder, kind, .. } => format!(
                "照片未能写入 {}（{}），预约未改变：请重试",
                folder.display(),
                io_zh(*kind)
            ),
            Self::Text(error) => error.zh(),
            Self::Window(error) => error.zh(),
        }
    }
}

impl Worded for crate::transfer::table::TableError {
    fn zh(&self) -> String {
        use crate::transfer::table::TableError::*;
        match self {
            Empty => "文件是空的".to_string(),
            Spreadsheet(_) => "无法读取该表格：文件可能已损坏，或不是 XLSX、XLS 或 CSV".to_string(),
            NoSheet => "表格中没有工作表".to_string(),
            UnknownEncoding => "文本编码既不是 UTF-8 也不是 GB18030 或 GBK".to_string(),
            Csv(error) => match error.position() {
                Some(position) => format!("CSV 文件第 {} 行格式有误", position.line()),
                None => "CSV 文件格式有误".to_string(),
            },
            TooLarge { bytes, limit } => format!(
                "文件有 {:.1} MB，超过上限 {} MB：请拆分成较小的文件",
                *bytes as f64 / 1_048_576.0,
                limit / 1_048_576
            ),
            TooManyRows { limit } => {
                format!("表格超过 {limit} 行：请拆分成较小的文件分别导入")
            }
        }
    }
}

impl Worded for crate::transfer::import::ImportError {
    fn zh(&self) -> String {
        use crate::transfer::import::ImportError::*;
        match self {
            Table(error) => error.zh(),
            MissingHeaders(fields) => format!(
                "表头缺少必需的列：{}",
                fields
                    .iter()
                    .map(|field| field_zh(*field))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            Interrupted(_) => "导入中途停止，未写入任何数据".to_string(),
            Store(error) => error.zh(),
        }
    }
}

impl Worded for crate::transfer::export::ExportError {
    fn zh(&self) -> String {
        use crate::transfer::export::ExportError::*;
        match self {
            Template(_) => "文件命名模板无效".to_string(),
            EmptyName { student, field } => format!(
                "{student}没有{}，无法按它命名照片：请换一种命名方式",
                field_zh(*field)
            ),
            Collision {
                file,
                first,
                second,
            } => format!("{first}和{second}的照片会同名（{file}）：请换一种命名方式"),
            NameTooLong { student, bytes, .. } => format!(
                "{student}的照片文件名有 {bytes} 字节，超过文件系统上限 255 字节：请换一种较短的命名方式"
            ),
            Io { path, source } => format!("{}：{}", path.display(), io_zh(source.kind())),
            Other(_) => INTERNAL_ZH.to_string(),
        }
    }
}

impl Worded for crate::transfer::school_export::SchoolExportError {
    fn zh(&self) -> String {
        use crate::transfer::school_export::SchoolExportError::*;
        match self {
            NothingToExport(school) => format!("{school}还没有已采集的学生可以导出"),
            NoSpace { needed, available } => format!(
                "目标磁盘只剩 {} MB，导出需要 {} MB：未写入任何文件",
                available / 1_000_000,
                needed / 1_000_000
            ),
            Export(error) => error.zh(),
            Store(error) => error.zh(),
        }
    }
}

impl Worded for crate::campus::CampusRefusal {
    fn zh(&self) -> String {
        use crate::campus::CampusRefusal::*;
        match self {
            NoConflict(id) => format!("没有编号为 {id} 的冲突"),
            RefundOfPhotographed => "该学生已拍摄，不能退款".to_string(),
            PhotoHashMismatch => "照片内容与其校验值不符，服务器拒收".to_string(),
            FetchedPhotoMismatch(_) => "从服务器取回的照片与其校验值不符：请重试".to_string(),
            NoBookingOnServer(_) => "校区服务器上没有该预约".to_string(),
            EventsWaiting(count) => format!("还有 {count} 条记录未上传：上传完后再封存"),
            ServerBehind { held, through } => format!(
                "服务器只收到本工位第 {held} 号以前的记录，本工位已到第 {through} 号：请先同步"
            ),
            WriteOffNeedsReason => "放弃工位须写明原因".to_string(),
            UnknownStation(station) => format!("校区没有工位 {station}"),
            UnknownSchool(school) => format!("校区没有学校“{school}”的预约：请检查学校名称"),
            NotSealed { school, stations } => format!(
                "以下工位尚未封存{school}：{}；请在这些工位封存，或写明原因放弃",
                stations.join("、")
            ),
            ExportsEveryPhoto => "校区导出总是导出全部照片，不能只导出更正过的".to_string(),
            EventGone(seq) => format!("服务器要求本工位重传第 {seq} 号记录，但本工位已没有它"),
            AccountExists(name) => format!("校区已有账户 {name}"),
            NoAccount(name) => format!("校区没有账户 {name}"),
            ConflictResolved(id) => format!("冲突 {id} 已处理过"),
            WrongDecision { .. } => "这类冲突不能这样处理".to_string(),
            JoinCodeRefused => "加入码无效、已用过或已过期：请主管重新生成加入码".to_string(),
            TooManyJoinCodes(count) => {
                format!("未用的加入码已有 {count} 个：请先用掉或等其过期")
            }
            NoEnrolmentLogin => {
                "本工位不知道校区的加入地址：请在校区服务器上生成加入码".to_string()
            }
            AlreadyJoined(_) => "本工位已加入校区：要离开，请先删除其校区设置文件".to_string(),
            StationNameRule => "站名须为 1–64 个字，且不含控制字符".to_string(),
            SupervisorSignInNeeded => {
                "主管的校区操作需要校区服务器核验过的登录：请在校区服务器可连接时重新登录".to_string()
            }
            NotCampusSupervisor => "该账户不是校区主管".to_string(),
            RevokeOwnStation => {
                "工位不能吊销自己：请在另一个工位或校区服务器上吊销".to_string()
            }
            TokenWithoutCertificate => "加入码没有服务器证书指纹，连接可能在网络上被窃听或冒充：请从启用加密的服务器重新取得加入码（命令行可明确接受不加密的连接，见说明书）".to_string(),
        }
    }
}

impl Worded for crate::campus::CampusError {
    fn zh(&self) -> String {
        use crate::campus::CampusError::*;
        match self {
            Unreachable(_) => "校区服务器无法连接：本工位继续离线拍摄".to_string(),
            LoginRefused(_) => "校区服务器拒绝了登录：加入码被改动或已失效，或本工位已被吊销；请向主管重新取得加入码".to_string(),
            CertificateMismatch(_) => "服务器的证书与加入码不符：连到的可能不是本校区的服务器（网络上的冒充者），或服务器已重建；请向主管核实并重新取得加入码".to_string(),
            Refused(_) => "校区服务器拒绝了这项操作，详情已记入日志".to_string(),
            Refusal(refusal) => refusal.zh(),
            ServerTooNew { found, known } => {
                format!("校区服务器的数据结构版本为 {found}，本程序只认识到 {known}：请升级本程序")
            }
            ServerTooOld { found, known } => format!(
                "校区服务器的数据结构版本为 {found}，本程序需要 {known}：请在服务器上用本版本的程序重新启动校区服务器，启动时即升级校区数据库"
            ),
            PhotoUnreadable { path, .. } => format!(
                "照片文件 {path} 无法读取：本工位的上传停在这张照片之前，能读取后自动继续；请检查数据文件夹所在的磁盘，并告知主管"
            ),
            BadToken(_) => "加入码无效：请重新复制或扫描".to_string(),
            Store(error) => error.zh(),
            Import(error) => error.zh(),
            Export(error) => error.zh(),
            Postgres(_) => "校区服务器出错，详情已记入日志".to_string(),
        }
    }
}

impl Worded for crate::camera::CameraError {
    fn zh(&self) -> String {
        use crate::camera::CameraError::*;
        match self {
            NoCamera => "未找到摄像头".to_string(),
            Open(_) => "摄像头无法打开：请检查连接，或关闭占用它的其他程序".to_string(),
            Read(_) => "摄像头停止传送画面".to_string(),
            Decode(_) => "摄像头画面无法解码".to_string(),
            NothingToReplay(path) => format!("{} 中没有可回放的图片", path.display()),
        }
    }
}

impl Worded for crate::camera::CameraFault {
    fn zh(&self) -> String {
        use crate::camera::CameraFault::*;
        match self {
            Device(error) => error.zh(),
            Panicked => "摄像头线程出错，正在重新打开".to_string(),
            ThreadNotStarted => "摄像头线程无法启动".to_string(),
            Stopped => "摄像头已停止".to_string(),
            DidNotStart => "摄像头未能启动：请检查连接".to_string(),
            NoFrames { quiet } => format!("已 {:.1} 秒没有画面", quiet.as_secs_f32()),
            CorruptFrames { quiet, .. } => {
                format!("已 {:.1} 秒只收到损坏的画面", quiet.as_secs_f32())
            }
            SizeChanged { .. } => "画面尺寸改变，正在重新打开摄像头".to_string(),
        }
    }
}

impl Worded for crate::scan::image_input::ImageInputError {
    fn zh(&self) -> String {
        use crate::scan::image_input::ImageInputError::*;
        match self {
            UnknownFormat => "不是本程序能读取的图片（PNG、JPEG、GIF 或 WebP）".to_string(),
            TooLarge { width, height } => format!("图片为 {width}×{height}，超出上限"),
            Damaged(_) => "图片文件已损坏或不完整".to_string(),
        }
    }
}

impl Worded for SettingError {
    fn zh(&self) -> String {
        match self {
            Self::Pattern(_) => "采集码规则不是有效的正则表达式".to_string(),
            Self::HolidayFile { path, .. } => {
                format!("节假日文件 {} 无法读取或格式有误", path.display())
            }
            Self::Language(value) => format!("语言“{value}”无效：请选中文或英文"),
            Self::Camera(value) => format!("摄像头“{value}”无效：请从列表中选择"),
            Self::Resolution(value) => format!("分辨率“{value}”无效：请写成 1920×1080"),
            Self::Backdrop(value) => format!("背景色“{value}”无效：请选蓝色、白色或浅灰"),
            Self::JpegKb(value) => {
                format!("照片大小“{value}”无效：请写成 20-40 这样的范围（单位 KB）")
            }
            Self::IdleMinutes(minutes) => {
                format!("无操作自动退出须为 1 到 1440 分钟，不能是 {minutes}")
            }
            Self::WalkInAmount { error, .. } => format!("现场预约价格：{}", error.zh()),
            Self::WalkInPayment(value) => {
                format!("现场预约支付方式“{value}”无效：请选微信支付、支付宝或现金")
            }
            Self::StudentScreen(value) => format!("学生屏幕“{value}”无效：请从列表中选择"),
        }
    }
}

impl Worded for crate::domain::walk_in::WalkInProblem {
    fn zh(&self) -> String {
        use crate::domain::walk_in::WalkInProblem::*;
        match self {
            Text(error) => error.zh(),
            IdNumber(error) => error.zh(),
            IdNumberMissing => "身份证号为空：学生没有身份证时，请勾选“无身份证”".to_string(),
            StudentNoNeeded => "无身份证时学号必填".to_string(),
            Amount(error) => error.zh(),
            CaptureCode(error) => error.zh(),
            CaptureCodeMissing => {
                "采集码为空：请扫描学生的采集码，或勾选“学生暂时无法出示采集码”".to_string()
            }
        }
    }
}

#[cfg(test)]
mod campus_samples;
#[cfg(test)]
mod tests;
