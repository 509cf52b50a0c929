//! Every string the booth window shows, in Chinese and English, side by side in one table so a
//! string can never exist in one language only. Screens take a `&Texts` and never spell text.

pub mod checks;
pub mod errors;
mod report;

use crate::config::Language;
pub use errors::{Worded, describe};
pub use report::{report_label, report_value};

macro_rules! texts {
    ($($name:ident: $zh:literal, $en:literal;)*) => {
        /// The window's strings in one language.
        pub struct Texts {
            $(pub $name: &'static str,)*
        }

        pub static ZH: Texts = Texts { $($name: $zh,)* };
        pub static EN: Texts = Texts { $($name: $en,)* };
    };
}

texts! {
    app_title: "学历照片采集站", "Capture Station";
    tab_operator: "拍摄", "Capture";
    tab_walk_in: "现场预约", "Walk-in";
    tab_supervisor: "主管", "Supervisor";
    demo_banner: "演示数据：虚构学生，独立于正式数据库", "Demo data: invented students";
    exit_demo: "退出演示", "Leave demo";
    language: "语言", "Language";
    // Operator screen
    live_view: "实时画面", "Live view";
    camera_waiting: "等待摄像头画面…", "Waiting for the camera…";
    code_in_view: "检测到二维码", "QR code in view";
    hint_closer: "请把手机拿近一些", "Hold the phone closer";
    hint_dimmer: "请调暗手机屏幕", "Lower the screen brightness";
    guidance_ready: "姿势合格，可以拍摄", "Pose fine: ready to shoot";
    guidance_pose_fine: "姿势合格", "Pose fine";
    scan_prompt: "请学生出示采集码", "Ask the student to show the capture code";
    looking_up: "正在查找预约…", "Looking up the booking…";
    no_booking: "未找到预约", "No booking found";
    open_walk_in: "现场预约 (F2)", "Walk-in booking (F2)";
    found: "已识别", "Found";
    card_opened: "已选择", "Selected";
    name: "姓名", "Name";
    id_number: "身份证号", "ID number";
    student_no: "学号", "Student no.";
    school: "学校", "School";
    department: "院系", "Department";
    major: "专业", "Major";
    level: "层次", "Level";
    phone: "手机号", "Phone";
    source: "来源", "Source";
    status: "状态", "Status";
    capture_code: "采集码", "Capture code";
    source_mini_program: "小程序预约", "Mini-program";
    source_walk_in: "现场预约", "Walk-in";
    status_booked: "已预约", "Booked";
    status_captured: "已采集", "Captured";
    status_cancelled: "已取消", "Cancelled";
    status_refund_pending: "待退款", "Refund pending";
    status_refunded: "已退款", "Refunded";
    already_captured: "该学生已采集：重拍需主管批准", "Already captured: a retake needs a supervisor's approval";
    earlier_photo: "已有照片", "Earlier photo";
    retake_allowed: "主管已批准重拍", "Retake approved";
    outside_window: "不在本校采集时间内", "Outside the school's collection period";
    override_window: "主管放行", "Supervisor override";
    window_overridden: "主管已放行", "Overridden by the supervisor";
    details_disputed: "学生反映信息有误：主管更正后才能拍摄", "The student says the record is wrong: a supervisor corrects it before the shot";
    flag_details_button: "信息有误 (E)", "Details wrong (E)";
    details_flagged: "已标记信息有误，请主管更正", "Flagged as wrong: the supervisor corrects it";
    open_correction: "去更正", "Correct it";
    override_dispute: "核对无误，允许拍摄", "Checked and right: allow the shot";
    dispute_overridden: "主管已核对信息，允许拍摄", "The supervisor checked the record: shot allowed";
    disputed_banner: "学生反映此信息有误：更正并保存后即可拍摄", "The student says this record is wrong: save a correction to allow the shot";
    student_screen_setting: "学生屏幕", "Student screen";
    student_screen_off: "关闭", "Off";
    student_screen_window: "独立窗口", "Window";
    student_screen_monitor: "全屏于显示器", "Full screen on monitor";
    student_screen_inset: "内嵌预览", "Inset";
    student_screen_no_such_monitor: "本机只有 {n} 个显示器：学生屏幕显示为内嵌预览", "This machine has {n} monitor(s): the student's screen shows as the inset";
    turned_on: "开启", "On";
    countdown_setting: "拍摄前倒计时 3-2-1", "3-2-1 countdown before the shot";
    student_window_title: "学生屏幕 · 学历照片采集站", "Student screen · Capture Station";
    student_screen_closed: "学生屏幕已关闭，可在 主管 → 设置 中重新打开", "Student screen closed: reopen it in Supervisor → Settings";
    student_show_code: "请出示采集码", "Please show your capture code";
    student_hold_phone: "手机屏幕朝向摄像头，距离约 20–30 厘米", "Screen toward the camera, about 20–30 cm away";
    student_check_details: "请核对你的信息", "Please check your details";
    student_details_wrong: "信息有误？请告诉工作人员", "Details wrong? Tell the staff";
    student_details_flagged: "已告知工作人员：信息更正后再拍摄", "The staff know: your details are corrected before the photo";
    student_pose_ok: "很好，请保持", "Good, hold still";
    student_look_here: "请看镜头", "Please look at the camera";
    student_happy: "满意吗？", "Happy with it?";
    student_tell_staff: "满意请告诉工作人员保存，\n不满意可以重拍", "Tell the staff to save it,\nor to take it again";
    student_thanks: "照片已保存，谢谢！", "Photo saved. Thank you!";
    student_wait: "请稍候", "One moment, please";
    student_processing: "正在处理照片…", "Processing your photo…";
    blocked_cancelled: "订单已取消，不能拍摄", "Order cancelled: cannot shoot";
    blocked_refunded: "订单已退款或待退款，不能拍摄", "Order refunded: cannot shoot";
    scan_first: "请先扫码或查找学生", "Scan a code or find the student first";
    scan_elsewhere: "扫到采集码：请回到“拍摄”页再扫", "Code scanned: go back to Capture and scan again";
    capture_button: "拍摄 (Space)", "Shoot (Space)";
    accept_button: "保存 (Enter)", "Save (Enter)";
    retake_button: "重拍 (R)", "Retake (R)";
    override_button: "检查未通过，仍要保存…", "Failed checks: save anyway…";
    override_confirm: "确认强制保存 (Ctrl+Enter)，将被记录", "Confirm override (Ctrl+Enter), recorded";
    cancel: "取消", "Cancel";
    nudge_hint: "方向键移动，+/- 缩放", "Arrows move, +/- zoom";
    nudge_hint_after_shot: "拍摄后可用方向键移动、+/- 缩放", "After the shot: arrows move, +/- zoom";
    result: "成片", "Result";
    processing: "正在处理照片…", "Processing the photo…";
    saving: "正在保存…", "Saving…";
    saved: "已保存", "Saved";
    checks_ok: "全部检查通过", "All checks passed";
    checks_failed: "检查未通过", "Checks failed";
    checks_all_passed_n: "{n} 项检查全部通过", "All {n} checks passed";
    checks_others_passed_n: "其余 {n} 项检查通过", "The other {n} checks passed";
    result_photo: "成片 480×640", "Result 480×640";
    size_quality: "文件大小 / 质量", "File size / quality";
    checks_failed_override: "照片检查未通过：请重拍 (R)，或点击“仍要保存”后按 Ctrl+Enter", "The photo failed its checks: retake (R), or choose \"save anyway\" and press Ctrl+Enter";
    unsaved_photo: "当前照片尚未保存：按 Enter 保存，或按 R 放弃", "This photo is not saved yet: Enter saves it, R discards it";
    unsaved_photo_failed: "当前照片未通过检查、尚未保存：按 R 重拍，或请主管强制保存", "This photo failed its checks and is not saved: R retakes, or a supervisor saves it anyway";
    unsaved_photo_processing: "正在处理刚拍的照片：请稍候保存，或按 R 放弃", "The photo just taken is being processed: wait to save it, or R discards it";
    card_changed: "学生卡片已更换，未执行：请核对后重新操作", "The student card changed, so nothing was done: check it and try again";
    next_up: "下一位", "Next";
    name_not_drawable: "姓名含无法显示的字，请核对身份证", "The name has a character that cannot be shown: check it against the ID card";
    walk_in_code_taken: "该采集码已属于 {name} 的预约，与本表学生不符，未保存：请核对或清空采集码", "This capture code belongs to {name}'s booking, not this student: nothing saved. Check the code or clear it";
    walk_in_code_filled: "摄像头已填入采集码", "Capture code filled from the camera";
    walk_in_code_owner: "此采集码已有预约：{name}", "This code is already booked: {name}";
    walk_in_code_free: "此采集码尚无预约", "No booking has this code yet";
    override_needs_supervisor: "强制保存需主管登录：", "Saving it anyway needs a supervisor:";
    next_up_unknown: "未找到预约", "no booking";
    next_up_take: "按 Esc 换下一位（保存照片后自动换）", "Esc takes the next (after the save, it comes by itself)";
    supervisor_signed_out_idle: "主管长时间无操作，已退出主管登录", "The supervisor was idle and has been signed out";
    idle_held_unsaved: "长时间无操作，但有照片尚未保存：保存或放弃后才会自动退出", "Idle, but a photo is not saved: the booth signs out once it is saved or discarded";
    close_unsaved_title: "有照片尚未保存", "A photo is not saved";
    close_unsaved_body: "关闭窗口将丢失这张照片。要保存，请返回并按 Enter（未通过检查的需主管强制保存）。", "Closing the window loses this photo. To keep it, go back and press Enter (a photo that failed its checks needs a supervisor).";
    close_back: "返回照片", "Back to the photo";
    close_anyway: "放弃照片并关闭", "Discard the photo and close";
    no_camera_frame: "没有摄像头画面，无法拍摄", "No camera frame to shoot";
    search: "查找 (Ctrl+F)", "Search (Ctrl+F)";
    search_hint: "姓名 / 学号 / 订单号 / 手机尾号 / 身份证号", "Name / student no. / order no. / phone tail / ID number";
    no_results: "无结果", "No results";
    close: "关闭 (Esc)", "Close (Esc)";
    // Walk-in desk
    walk_in_title: "现场预约", "Walk-in booking";
    no_id_card: "无身份证（遗失 / 识别失败 / 其他证件）", "No ID card (lost / OCR failed / other document)";
    no_id_lost: "遗失", "Lost";
    no_id_ocr: "识别失败", "OCR failed";
    no_id_other: "其他证件", "Other document";
    id_ok: "身份证号有效", "ID number valid";
    payment: "支付方式", "Payment";
    pay_wechat: "微信支付", "WeChat Pay";
    pay_alipay: "支付宝", "Alipay";
    pay_cash: "现金", "Cash";
    pay_bank_card: "银行卡", "Bank card";
    pay_other: "其他", "Other";
    amount: "金额（元）", "Amount (yuan)";
    save_walk_in: "保存预约", "Save booking";
    walk_in_no_code: "学生暂时无法出示采集码（导出前须补全或换命名方式）", "The student cannot show a capture code now (complete it, or name the export otherwise)";
    walk_in_known_schools: "已有学校：", "Known schools:";
    walk_in_confirm_school: "确认新学校并保存", "Confirm the new school and save";
    walk_in_new_school: "学校“{school}”尚无任何预约：如为笔误，请从“已有学校”中选择；确是新学校，请点“确认新学校并保存”", "No booking has the school \"{school}\" yet: if it is a typo, pick a known school; if it is new, press \"Confirm the new school and save\"";
    walk_in_saved: "现场预约已保存，可以拍摄：", "Walk-in saved, ready to shoot:";
    walk_in_duplicate: "已有预约，已调出：", "Already booked, showing:";
    required_hint: "* 必填（勾选后会变：无身份证时学号必填，无法出示采集码时采集码可空）", "* required (ticks change it: without an ID card the student number is required; a code the student cannot show may stay empty)";
    // Supervisor
    supervisor_login: "主管登录", "Supervisor login";
    pin: "PIN", "PIN";
    login: "登录", "Log in";
    logout: "主管退出", "Supervisor out";
    logged_in: "已登录：", "Signed in:";
    logged_out: "已退出登录", "Signed out";
    supervisor_name: "主管用户名", "Supervisor's name";
    needs_supervisor: "需要主管登录", "A supervisor must log in";
    tab_corrections: "信息更正", "Corrections";
    tab_retakes: "重拍审批", "Retakes";
    tab_schools: "场次", "Schools & periods";
    tab_settings: "设置", "Settings";
    field: "字段", "Field";
    new_value: "新值", "New value";
    current_value: "现值", "Now";
    correcting: "正在更正", "Correcting";
    reason: "原因（必填）", "Reason (required)";
    confirm_after_capture: "已采集：确认更正并标记照片需重新导出", "Captured: confirm, and mark the photo for re-export";
    save_correction: "保存更正", "Save correction";
    correction_saved: "更正已保存并记录", "Correction saved and audited";
    correction_unchanged: "值未改变，未记录", "Same value: nothing recorded";
    photo_reexport: "照片已标记需重新导出", "Photo marked for re-export";
    history: "更正记录", "Correction history";
    no_history: "无更正记录", "No corrections";
    pick_student: "先查找并选择学生", "Find and pick a student first";
    approve_retake: "批准重拍", "Approve retake";
    retake_approved: "已批准重拍：", "Retake approved:";
    only_captured: "只有已采集的学生需要批准重拍", "Only captured students need a retake approval";
    school_name: "学校名称", "School name";
    first_day: "开始日期", "First day";
    last_day: "结束日期", "Last day";
    add_window: "添加场次", "Add period";
    save_window: "保存", "Save";
    no_schools: "暂无学校", "No schools yet";
    tab_close_out: "结束采集", "Close-out";
    tab_report: "报表", "Report";
    tab_import: "导入预约", "Import bookings";
    import_hint: "选择小程序导出的预约订单表（XLSX / XLS / CSV），或把它拖到窗口上，或输入文件路径后点“预览”。预览不写入任何数据。", "Choose the mini-program's order export (XLSX / XLS / CSV), drop it on the window, or type its path and press Preview. A preview writes nothing.";
    import_path: "文件路径", "File path";
    import_preview_button: "预览", "Preview";
    import_reading: "正在读取并检查文件…", "Reading and checking the file…";
    import_running: "正在导入（一个事务，全部成功或全部不写入）…", "Importing (one transaction: all or nothing)…";
    import_format: "格式", "Format";
    import_columns_found: "识别的列", "Columns read";
    import_columns_ignored: "忽略的列", "Columns ignored";
    import_would: "若导入：", "Importing would give:";
    import_confirm: "确认导入", "Import now";
    import_done: "导入完成：", "Import done:";
    import_inserted: "新增", "inserted";
    import_updated: "更新", "updated";
    import_unchanged: "未变", "unchanged";
    import_rejected: "问题行", "rejected";
    import_refused: "文件未导入，未写入任何数据：", "File not imported, nothing written:";
    import_row: "行号", "Row";
    import_reason: "原因", "Reason";
    import_rejected_rows: "问题行", "Rejected rows";
    tab_export: "导出照片", "Export photos";
    export_hint: "导出到 U 盘等文件夹：每位已采集学生一张照片（与存储的 JPEG 完全相同）加清单，导出后自动校验。可把文件夹拖到窗口上。", "Export to a folder (a USB stick, usually): one photo per captured student, byte-identical, with a manifest, verified right after. A folder can be dropped on the window.";
    export_naming: "文件命名", "File names";
    naming_capture_code: "采集码", "Capture code";
    naming_id_number: "身份证号", "ID number";
    naming_student_no_name: "学号_姓名", "Student no._name";
    export_folder: "目标文件夹", "Target folder";
    export_only_reexports: "只导出更正或重拍后需重新导出的照片", "Only the photos to export again after a correction or retake";
    export_check: "检查空间", "Check space";
    export_start: "开始导出", "Export now";
    export_choose_first: "请先选择学校并填写目标文件夹", "Choose the school and the target folder first";
    export_plan: "照片", "Photos";
    export_needed: "需要", "Needed";
    export_available: "可用", "Free";
    export_unknown_space: "无法读取可用空间", "free space unknown";
    export_no_space: "空间不足，无法导出", "Not enough space: cannot export";
    export_reexports: "需重新导出", "To export again";
    export_unnamed: "{count} 名学生无法按所选方式命名（缺少该项信息），导出前请换一种命名方式，或在信息更正中补全", "{count} students cannot be named this way (the field is empty): pick another naming, or complete them under Corrections, before exporting";
    export_running: "正在导出…", "Exporting…";
    export_done: "导出完成：", "Exported to";
    export_verified: "校验通过", "verified";
    export_not_verified: "校验未通过", "verification FAILED";
    list_separator: "，", ", ";
    colon: "：", ": ";
    camera_test: "测试画面", "test frames";
    camera_demo: "演示摄像头", "demo camera";
    camera_replay: "回放", "replay";
    import_write_rejected: "导出问题行 (XLSX)", "Write rejected rows (XLSX)";
    preview_close: "预览", "Preview";
    to_cancel: "将取消的未采集订单", "Uncaptured orders to cancel";
    refund_total: "应退金额（元）", "Refund total (yuan)";
    paid_on_site: "其中现场支付（需人工退款）", "Of them paid on site (refund by hand)";
    refund_due: "退款截止日期", "Refunds due by";
    already_closed: "此前已关闭", "Closed earlier";
    window_still_open: "采集时间尚未结束：", "A collection window is still open:";
    force_close: "仍要结束（将被记录）", "Close anyway (recorded)";
    confirm_close: "确认结束采集", "Confirm close-out";
    close_question: "结束{school}的采集：将取消 {count} 个未采集的订单，退款共 {amount} 元（其中现场支付 {cash} 笔需人工退款），须在 {due} 前退完。此操作不能撤销。", "Close {school}: {count} uncaptured orders are cancelled and {amount} yuan refunded ({cash} of them paid on site, refunded by hand), by {due}. This cannot be undone.";
    close_back_out: "返回，不结束", "Back, do not close";
    close_and_refund: "确认结束并退款", "Close and refund";
    closed: "已结束采集，取消订单", "Closed; orders cancelled:";
    nothing_to_close: "没有新的未采集订单", "Nothing new to close";
    refunds: "退款", "Refunds";
    refunds_pending: "待退款", "Pending";
    refunds_overdue: "逾期", "Overdue";
    refunds_done: "已退款", "Done";
    refund_reference: "退款凭证号", "Refund reference";
    mark_refunded: "标记已退款", "Mark refunded";
    write_refund_list: "导出退款清单 (XLSX)", "Export refund list (XLSX)";
    load_report: "生成报表", "Show report";
    write_report: "导出报表 (XLSX)", "Export report (XLSX)";
    file_written: "已写入", "Written:";
    pick_school: "选择学校", "Pick a school";
    station_name: "站点名称", "Station name";
    camera: "摄像头", "Camera";
    camera_auto: "自动", "Automatic";
    resolution: "分辨率", "Resolution";
    pixel_format: "像素格式", "Pixel format";
    backdrop: "背景色", "Backdrop";
    backdrop_blue: "蓝色", "Blue";
    backdrop_white: "白色", "White";
    backdrop_grey: "浅灰", "Light grey";
    jpeg_kb: "照片大小 (KB)", "Photo size (KB)";
    holiday_file: "节假日文件", "Holiday file";
    walk_in_price: "现场预约价格", "Walk-in price";
    data_folder: "数据文件夹", "Data folder";
    save_settings: "保存设置", "Save settings";
    settings_defaults_hint: "空着的项用默认值（灰字所示）；填写后以所填为准。", "An empty field uses the default shown in grey; a value typed replaces it.";
    default_value: "默认", "default";
    holiday_built_in: "内置 2026 年节假日", "built-in 2026 holidays";
    settings_saved: "设置已保存", "Settings saved";
    // Status bar
    camera_live: "摄像头正常", "Camera live";
    camera_lost: "摄像头无画面", "Camera lost";
    database: "数据库", "Database";
    db_opening: "正在打开", "opening";
    db_preparing: "正在准备演示数据", "preparing demo data";
    db_ok: "正常", "healthy";
    db_failed: "错误", "failed";
    station: "站点", "Station";
    role_operator: "操作员", "Operator";
    role_supervisor: "主管", "Supervisor";
    today_captured: "今日已采集", "Captured today";
    campus: "校区", "Campus";
    tab_campus: "校区", "Campus";
    campus_single: "本工位为单机模式：数据只在本机。加入校区后，各工位共用校区服务器，断网时照常拍摄。", "This station works alone: its data stays on this laptop. Joined to a campus, the booths share the campus server and keep shooting when the network drops.";
    campus_token: "加入码", "Join token";
    campus_token_hint: "粘贴加入码，或将已加入工位显示的二维码对准摄像头", "Paste the join token, or hold a joined station's QR code to the camera";
    campus_station_name: "本工位名称", "This station's name";
    campus_join: "加入校区", "Join the campus";
    campus_joined_as: "本工位", "This station";
    campus_joined_closed_schools: "以下学校已结算，其学生的拍摄将交主管作为冲突处理：", "These schools are closed; a capture of their students goes to the supervisor as a conflict: ";
    campus_server: "服务器", "Server";
    campus_refresh: "刷新", "Refresh";
    campus_stations: "各工位", "Stations";
    campus_last_contact: "最近联系", "Last contact";
    campus_clock_offset: "时钟偏差", "Clock offset";
    campus_captures_today: "今日采集", "Captures today";
    campus_token_qr: "新工位加入：在其 主管 → 校区 中扫描此码。一码只能加入一台工位", "A new station joins by scanning this code in its 主管 → Campus. One code joins one station";
    campus_issue_join_code: "生成加入码", "New join code";
    campus_revoke: "吊销", "Revoke";
    campus_rotate_password: "更换本工位校区密码", "New campus password for this station";
    campus_password_rotated: "本工位的校区登录密码已更换", "This station's campus password was changed";
    campus_revoked: "已吊销", "Revoked";
    campus_revoke_question: "吊销此工位？其校区登录立即失效；已上传的照片和记录保留：", "Revoke this station? Its campus login stops working at once; what it uploaded stays:";
    campus_revoke_confirm: "确认吊销", "Revoke it";
    campus_revoke_done: "已吊销工位", "Station revoked";
    campus_join_code_valid_until: "有效至", "Valid until";
    campus_conflicts: "待处理冲突", "Open conflicts";
    campus_no_conflicts: "没有待处理的冲突", "No open conflicts";
    campus_quarantined: "服务器拒收的事件（已保留）", "Events the server refused (kept)";
    campus_show: "查看", "Show";
    campus_current_photo: "当前照片", "Current photo";
    campus_other_photo: "冲突照片", "Conflicting photo";
    campus_use_this: "改用冲突照片", "Use the conflicting photo";
    campus_keep_existing: "保留当前", "Keep the current one";
    campus_use_new_value: "采用新值", "Use the new value";
    campus_keep_value: "保留现值", "Keep the current value";
    campus_keep_both: "确认两者都保留", "Keep both bookings";
    conflict_double_capture: "同一预约被两个工位拍摄", "One booking photographed at two stations";
    conflict_capture_after_cancel: "预约已取消/退款后仍被拍摄", "Photographed after the booking was cancelled or refunded";
    conflict_capture_after_close: "学校结算后才上传的照片（已列入退款）", "Photographed before, uploaded after the school's close-out (refund pending)";
    conflict_duplicate_walk_in: "同一学生在两个工位现场预约", "The same student booked as a walk-in at two stations";
    conflict_stale_correction: "更正时原值已被他人修改", "Corrected while someone else had changed the value";
    conflict_refund_of_captured: "结算退款时该生已拍或正在拍（未退款）", "Close-out asked to refund a student photographed (or being photographed) elsewhere: not refunded";
    campus_void_refund: "作废退款", "Void the refund";
    campus_refund_anyway: "仍然退款（仅限未拍摄）", "Refund anyway (only if not photographed)";
    campus_connected: "已连接", "connected";
    campus_offline_since: "离线，继续本机拍摄，自", "offline, shooting locally since";
    campus_offline: "离线，继续本机拍摄", "offline, shooting locally";
    campus_sync_retrying: "同步未成功，正在自动重试（详情已记入日志）", "The sync failed and is retried";
    campus_open_conflicts: "冲突待处理", "conflicts open";
    campus_photo_unreadable: "有照片无法读取，上传已暂停（请告知主管）", "A photo cannot be read: uploading waits (tell the supervisor)";
    campus_outbox: "待上传", "to upload";
    campus_photos_waiting: "照片待传", "photos waiting";
    campus_last_sync: "上次同步", "last sync";
    campus_close_title: "校区结算（按学校）", "Campus close-out (per school)";
    campus_close_school: "学校", "School";
    campus_close_load: "查看结算闸门", "Show the close-out gate";
    campus_gate_sealed: "已封存", "sealed";
    campus_gate_written_off: "已放弃", "written off";
    campus_gate_open: "未封存（阻止结算）", "not sealed (blocks the close-out)";
    campus_gate_held: "服务器已收事件至", "events on the server up to";
    campus_seal_here: "封存本工位（停止拍摄该校并上传全部事件）", "Seal this station (stop shooting this school, send every event)";
    campus_write_off: "放弃该工位", "Write the station off";
    campus_write_off_reason: "原因（必填，将记入日志）", "Reason (required, logged)";
    campus_close_now: "校区结算：退款给从未拍摄的学生", "Close for the campus: refund every student nobody photographed";
    campus_close_blocked: "以下工位尚未封存：", "Not sealed yet:";
    campus_closed: "校区已结算，退款", "Closed for the campus; refunds:";
    campus_quarantined_not_refunded: "名学生的照片被服务器隔离，未退款，请逐一处理", "students have a capture in quarantine: not refunded; settle each by hand";
    campus_held_back: "名学生的照片在待处理冲突中，未退款", "students have a photo in an open conflict: not refunded";
    campus_report: "校区报表", "Campus report";
    campus_report_total: "预约 / 已拍 / 待拍 / 待退款 / 已退款", "Bookings / captured / still booked / refund due / refunded";
    campus_per_hour: "每小时", "Per hour";
    campus_median_secs: "每人中位秒数", "Median s per student";
    campus_captures: "采集数", "Captures";
    remaining: "待拍", "Still booked";
    walk_ins: "现场预约", "Walk-ins";
    store_busy: "数据库繁忙，请稍后重试", "The database is busy: try again";
    campus_busy: "校区服务器仍在处理前面的操作，请稍后重试", "The campus server is still working on the earlier steps: try again shortly";
    campus_joined_sign_in_again: "已加入校区。主管权限从此由校区核验：请重新登录主管账户", "Joined the campus. From now on the campus checks supervisors: sign in again as supervisor";
    store_stopped: "数据库已停止工作，请退出并重新打开本程序；照片不会丢失", "The database has stopped: quit and open the app again; no photo is lost";
    // Accounts
    sign_in_title: "请登录", "Sign in";
    sign_in_hint: "输入用户名和 PIN（连续 5 次错误将锁定账户）", "Name and PIN (5 wrong PINs lock the account)";
    first_run_title: "首次使用：创建主管账户", "First run: create the supervisor account";
    first_run_hint: "主管可添加操作员和工作人员账户。PIN 为 6–12 位数字，本机不保存 PIN 原文，忘记时由主管重置。", "The supervisor adds operator and staff accounts. The PIN is 6 to 12 digits; the booth never keeps the PIN itself, and a supervisor resets a forgotten one.";
    user_name: "用户名", "Name";
    pin_again: "再次输入 PIN", "PIN again";
    sign_in: "登录", "Sign in";
    create_supervisor: "创建主管并登录", "Create and sign in";
    sign_out: "退出", "Sign out";
    sign_in_first: "请先登录", "Sign in first";
    signed_out_idle: "长时间无操作，已自动退出登录", "Signed out after idle time";
    pins_differ: "两次输入的 PIN 不一致", "The two PINs differ";
    demo_accounts: "演示账户：演示员 / 000000（工作人员），演示主管 / 123456，演示摄影 / 111111（操作员）", "Demo accounts: 演示员 / 000000 (staff), 演示主管 / 123456, 演示摄影 / 111111 (operator)";
    role_staff: "工作人员", "Staff";
    users_title: "账户", "Accounts";
    add_user: "添加账户", "Add account";
    role: "角色", "Role";
    idle_logout_minutes: "无操作自动退出（分钟）", "Sign out after idle (minutes)";
    locked_until: "锁定至", "locked until";
    reset_pin: "重置 PIN", "Reset PIN";
    new_pin_for: "新 PIN：", "New PIN for";
    confirm_new_pin: "确认新 PIN", "Set the new PIN";
    user_added: "已添加账户 {name}", "Account {name} added";
    pin_reset_done: "已为 {name} 设置新 PIN，锁定已解除", "{name} has a new PIN, and any lock is lifted";
    disable_account: "停用", "Disable";
    enable_account: "启用", "Enable";
    account_disabled: "已停用", "disabled";
    // First-run guide
    fr_title: "首次设置", "First-run setup";
    fr_hint: "五步把这台电脑设成采集站。除主管账户外，每一步都可以跳过，之后在「主管」中完成。", "Five steps make this computer a capture station. Every step but the supervisor account can be skipped and done later under Supervisor.";
    fr_step: "步骤", "Step";
    fr_step_camera: "选择摄像头", "Choose the camera";
    fr_step_supervisor: "创建主管账户", "Create the supervisor account";
    fr_step_station: "本站设置", "This station";
    fr_step_import: "导入预约", "Import the bookings";
    fr_step_campus: "加入校区（可选）", "Join a campus (optional)";
    fr_step_finished: "完成", "Finished";
    fr_camera_hint: "点选一台摄像头，右侧即显示它的实时画面。格式一般选「自动」，画面卡顿时再换。", "Pick a camera to see it live on the right. Leave the format on automatic unless the picture stutters.";
    fr_finding_cameras: "正在查找摄像头…", "Looking for cameras…";
    fr_no_camera: "未找到摄像头。插上摄像头后点「重新查找」。", "No camera found. Plug one in, then press Look again.";
    fr_find_again: "重新查找", "Look again";
    fr_format: "格式", "Format";
    fr_format_auto: "自动（有则用 MJPEG 1920×1080 30 fps）", "Automatic (MJPEG 1920×1080 30 fps if offered)";
    fr_formats: "种格式", "formats";
    fr_live: "实时画面：", "Live:";
    fr_supervisor_required: "没有主管账户就无人能登录，所以这一步不能跳过。", "Nobody can sign in without it, so this step cannot be skipped.";
    fr_station_hint: "站名会写进日志和校区报表。背景色和照片大小按学校要求填写，一般用默认值即可。", "The station's name appears in the log and the campus reports. Backdrop and photo size follow the school's rules; the defaults usually fit.";
    fr_campus_hint: "几个采集站共用一个校区数据库时，输入或扫描校区管理员给的加入码。只有一个采集站就跳过。", "When several stations share one campus store, type or scan the join token from the campus administrator. Skip this for a single station.";
    fr_campus_joined: "已加入校区：", "Joined the campus:";
    fr_next: "下一步", "Next";
    fr_save_next: "保存并继续", "Save and go on";
    fr_skip: "跳过", "Skip";
    fr_start: "开始拍摄", "Start capturing";
    fr_done: "已完成", "Done";
    fr_skipped: "已跳过", "Skipped";
    fr_no_camera_found: "未找到摄像头", "No camera found";
    fr_later: "跳过的步骤可随时在「主管 → 设置 / 导入预约 / 校区」中完成。", "Skipped steps can be done any time under Supervisor → Settings / Import / Campus.";
    import_pick_file: "选择文件…", "Choose a file…";
    export_pick_folder: "选择文件夹…", "Choose a folder…";
    export_no_folder_dialog: "无法打开系统的文件夹选择窗口：请把文件夹拖到本窗口上，或在上面输入路径。", "The system's folder dialog cannot be shown here: drop the folder on this window, or type its path above.";
    import_no_file_dialog: "无法打开系统的文件选择窗口（本机没有桌面门户或 zenity）：请把文件拖到本窗口上，或在下面输入文件路径后点“预览”。", "The system's file dialog cannot be shown here (no desktop portal or zenity): drop the file on this window, or type its path below and press Preview.";
}

/// Something to tell a person, in both languages: a worker does not know the window's language,
/// so it sends both and the window shows the one chosen. Never shown glued together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    zh: String,
    en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A typed error or refusal, worded.
    pub fn of(what: &(impl Worded + ?Sized)) -> Self {
        Self::new(what.zh(), what.to_string())
    }

    /// An error that crossed a worker as `anyhow`: its first typed cause, worded.
    pub fn of_error(error: &anyhow::Error) -> Self {
        Self::new(
            describe(error, Language::Chinese),
            describe(error, Language::English),
        )
    }

    /// A file that could not be read or written, by its path and the system's reason.
    pub fn file(path: &std::path::Path, error: &std::io::Error) -> Self {
        Self::new(
            format!("{}：{}", path.display(), errors::io_zh(error.kind())),
            format!("{}: {error}", path.display()),
        )
    }

    /// One of the tables' own strings, in both languages.
    pub fn texts(pick: fn(&Texts) -> &'static str) -> Self {
        Self::new(pick(&ZH), pick(&EN))
    }

    pub fn text(&self, language: Language) -> &str {
        match language {
            Language::Chinese => &self.zh,
            Language::English => &self.en,
        }
    }
}

/// Text already in the window's language (a table's string, a name): the same in both.
impl From<String> for Message {
    fn from(text: String) -> Self {
        Self {
            zh: text.clone(),
            en: text,
        }
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Self::from(text.to_string())
    }
}

pub fn for_language(language: Language) -> &'static Texts {
    match language {
        Language::Chinese => &ZH,
        Language::English => &EN,
    }
}

impl Texts {
    /// The language this table is in.
    pub fn language(&self) -> Language {
        if std::ptr::eq(self, &ZH) {
            Language::Chinese
        } else {
            Language::English
        }
    }

    /// A stored payment method (`wechat`, `alipay`…) as the window says it.
    pub fn payment_method(&self, stored: &str) -> &'static str {
        use crate::domain::PaymentMethod;
        match PaymentMethod::parse(stored) {
            Some(PaymentMethod::Wechat) => self.pay_wechat,
            Some(PaymentMethod::Alipay) => self.pay_alipay,
            Some(PaymentMethod::Cash) => self.pay_cash,
            Some(PaymentMethod::BankCard) => self.pay_bank_card,
            Some(PaymentMethod::Other) | None => self.pay_other,
        }
    }

    /// A capture code shown without its content: its first four characters and its length
    /// (the whole code is never on screen).
    pub fn masked_code(&self, code: &str) -> String {
        let prefix: String = code.chars().take(4).collect();
        let count = code.chars().count();
        match self.language() {
            Language::Chinese => format!("{prefix}…（{count} 位）"),
            Language::English => format!("{prefix}…({count} chars)"),
        }
    }

    /// Who did something, as the audit log records it (`name(role)`), with the role worded.
    pub fn actor(&self, actor: &str) -> String {
        let Some((name, role)) = actor
            .strip_suffix(')')
            .and_then(|rest| rest.rsplit_once('('))
        else {
            return actor.to_string();
        };
        let role = match role {
            "operator" => self.role_operator,
            "staff" => self.role_staff,
            "supervisor" => self.role_supervisor,
            other => other,
        };
        format!("{name}({role})")
    }

    /// A stored RFC 3339 time as local date and minute (2026-12-07 09:18).
    pub fn local_minute(&self, stamp: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(stamp)
            .map(|time| {
                time.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| stamp.to_string())
    }

    /// A camera's name: the system's own for a device that has one.
    pub fn camera_name(&self, camera: &crate::camera::CameraName) -> String {
        use crate::camera::CameraName;
        match camera {
            CameraName::Test => self.camera_test.to_string(),
            CameraName::Demo => self.camera_demo.to_string(),
            CameraName::Replay(path) => format!("{} {}", self.camera_replay, path.display()),
            CameraName::Device {
                name: Some(name), ..
            } => name.clone(),
            CameraName::Device { index, name: None } => format!("{} {index}", self.camera),
        }
    }

    /// Something that happened (an error, a refusal, a row's problem), in this table's language.
    pub fn word(&self, what: &(impl Worded + ?Sized)) -> String {
        what.worded(self.language())
    }

    pub fn status(&self, status: &str) -> &'static str {
        match status {
            "booked" => self.status_booked,
            "captured" => self.status_captured,
            "cancelled" => self.status_cancelled,
            "refund_pending" => self.status_refund_pending,
            "refunded" => self.status_refunded,
            _ => "?",
        }
    }

    /// `lead` then the import's counts: "导入完成： 新增 12，更新 0，未变 0，问题行 1".
    pub fn import_counts(&self, lead: &str, report: &crate::transfer::ImportReport) -> String {
        let counts = [
            (self.import_inserted, report.inserted),
            (self.import_updated, report.updated),
            (self.import_unchanged, report.unchanged),
            (self.import_rejected, report.rejected.len()),
        ]
        .map(|(label, count)| format!("{label} {count}"));
        format!("{lead} {}", counts.join(self.list_separator))
    }

    pub fn source(&self, source: &str) -> &'static str {
        match source {
            "walk_in" => self.source_walk_in,
            _ => self.source_mini_program,
        }
    }
}
