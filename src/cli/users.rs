//! `user add|list|reset-pin` (staff accounts) and the hidden `soak-capture` loop that the crash
//! harness kills at random moments.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use super::Station;
use crate::camera::synthetic_student::{StudentScene, render_student_frame};
use crate::domain::{BookingSource, PaymentMethod};
use crate::portrait::pipeline::{PortraitPipeline, PortraitSettings};
use crate::store::captures::NewCapture;
use crate::store::{NewBooking, Role};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. With no accounts yet, this creates the first supervisor without a login;
    /// after that it needs --user of a supervisor. The new PIN comes from $CAPTURE_STATION_NEW_PIN
    /// or standard input.
    Add {
        #[arg(long)]
        name: String,
        /// operator, staff or supervisor
        #[arg(long)]
        role: String,
    },
    /// List accounts with their roles and locks (never PINs)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a new PIN and clear a lockout (supervisors only)
    ResetPin {
        #[arg(long)]
        name: String,
    },
}

const NEW_PIN_ENV: &str = "CAPTURE_STATION_NEW_PIN";

fn read_new_pin(name: &str) -> Result<String> {
    if let Ok(pin) = std::env::var(NEW_PIN_ENV) {
        return Ok(pin);
    }
    let mut line = String::new();
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("{name} 的新 PIN (6–12 digits): ");
        std::io::stderr().flush().ok();
    }
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the new PIN from standard input")?;
    Ok(line.trim().to_string())
}

pub fn user(mut station: Station, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { name, role } => {
            let Some(role) = Role::parse(&role) else {
                bail!("--role must be operator, staff or supervisor, not '{role}'");
            };
            if station.store.user_count()? == 0 {
                if role != Role::Supervisor {
                    bail!("the first account must be the supervisor (--role supervisor)");
                }
                let pin = read_new_pin(&name)?;
                station.store.create_first_supervisor(&name, &pin)?;
                println!("已创建主管账户 created the first supervisor, {name}");
                return Ok(());
            }
            let session = station.sign_in()?;
            let pin = read_new_pin(&name)?;
            station.store.add_user(&session, &name, role, &pin)?;
            println!("已添加 added {name} ({})", role.label_zh());
        }
        UserCommand::List { json } => {
            let users = station.store.users()?;
            if json {
                println!("{}", serde_json::to_string(&users)?);
            } else {
                for user in users {
                    println!(
                        "{}\t{}{}",
                        user.name,
                        user.role.label_zh(),
                        user.locked_until
                            .map(|t| format!("\t锁定至 locked until {t}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        UserCommand::ResetPin { name } => {
            let session = station.sign_in()?;
            let pin = read_new_pin(&name)?;
            station.store.reset_pin(&session, &name, &pin)?;
            println!("已重置 PIN reset for {name}");
        }
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct SoakArgs {
    #[arg(long, default_value = "压测大学")]
    pub school: String,
    /// Stop after this many saves [default: run until killed]
    #[arg(long)]
    pub count: Option<u64>,
    /// Shoot once and save that photo over and over, so that most of the time is spent saving
    /// (where a kill matters most)
    #[arg(long)]
    pub shot_once: bool,
}

/// The booth's capture path without a window, as fast as it goes: a walk-in booking, a drawn
/// student shot through the real portrait pipeline, the accepted JPEG and its original saved
/// through the store. After each save commits it prints `saved <booking> <capture> <sha256>`,
/// so a harness that kills the process knows which photos were accepted.
pub fn soak_capture(mut station: Station, args: SoakArgs) -> Result<()> {
    let session = station.sign_in()?;
    let photos = station.config.photos_dir();
    let mut pipeline =
        PortraitPipeline::new(PortraitSettings::default()).context("loading the face detector")?;
    let started = std::process::id() as u64;
    let mut stdout = std::io::stdout().lock();
    let mut saved = 0u64;
    let mut kept_shot: Option<(Vec<u8>, Vec<u8>, serde_json::Value, bool)> = None;
    while args.count.is_none_or(|count| saved < count) {
        let seed = started.wrapping_mul(1_000_003).wrapping_add(saved);
        let booking = NewBooking {
            order_no: None,
            source: BookingSource::WalkIn,
            name: format!("压测{seed}"),
            sex: None,
            id_number: None,
            has_id_card: false,
            student_no: Some(format!("S{seed}")),
            school: args.school.clone(),
            department: None,
            major: None,
            level: None,
            phone: None,
            amount_fen: 0,
            payment_method: PaymentMethod::Cash,
            paid_at: None,
            slot: None,
            capture_code: None,
            note: None,
        };
        let booking_id = station.store.create_booking(&booking, &session)?;
        let shot = match kept_shot.take() {
            Some(shot) => shot,
            None => {
                let scene = StudentScene {
                    backdrop: PortraitSettings::default().backdrop.rgb(),
                    offset: ((seed % 7) as f32 - 3.0) * 0.01,
                    seed,
                };
                let frame = render_student_frame(&scene, 1280, 720);
                let portrait = pipeline.process(&frame).map_err(|report| {
                    anyhow::anyhow!("the drawn student failed: {:?}", report.error)
                })?;
                let original = crate::portrait::encode::encode_jpeg(&frame, 90)?;
                let report = serde_json::to_value(&portrait.report)?;
                (portrait.jpeg, original, report, portrait.report.ok)
            }
        };
        let (jpeg, original, report, ok) = &shot;
        let record = station.store.save_capture(
            &photos,
            NewCapture {
                booking_id: &booking_id,
                jpeg,
                original_jpeg: Some(original),
                spec_report: report.clone(),
                spec_ok: *ok,
                overridden: false,
                session: &session,
            },
        )?;
        if args.shot_once {
            kept_shot = Some(shot);
        }
        writeln!(stdout, "saved {booking_id} {} {}", record.id, record.sha256)?;
        stdout.flush()?;
        saved += 1;
    }
    Ok(())
}
