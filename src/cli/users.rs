//! `user add|list|reset-pin`: staff accounts.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use super::context::Station;
use crate::station::Reach;
use crate::station::accounts::{AccountList, AddedTo};
use crate::store::Role;

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
                say!("已创建主管账户 created the first supervisor, {name}");
                return Ok(());
            }
            let session = station.sign_in()?;
            let pin = read_new_pin(&name)?;
            let link = station.campus_link()?;
            let added = crate::station::accounts::add_user(
                &mut station.store,
                Reach::of(link.as_deref()),
                &session,
                &name,
                role,
                &pin,
            )?;
            match added {
                AddedTo::Campus => say!(
                    "已添加校区账户 added {name} ({}) for the campus",
                    role.label_zh()
                ),
                AddedTo::ThisStation => say!("已添加 added {name} ({})", role.label_zh()),
            }
        }
        UserCommand::List { json } => {
            let link = station.campus_link()?;
            let users = match crate::station::accounts::list(
                &station.store,
                Reach::of(link.as_deref()),
            )? {
                AccountList::Here { users, campus_away } => {
                    if let Some(error) = campus_away {
                        eprintln!(
                            "{error}; 以下为本工位见过的账户 / these are the accounts this booth has seen"
                        );
                    }
                    users
                }
                AccountList::Campus(accounts) => {
                    if json {
                        say!("{}", serde_json::to_string(&accounts)?);
                    } else {
                        for account in accounts {
                            say!(
                                "{}\t{}{}{}",
                                account.name,
                                Role::parse(&account.role).map_or("?", Role::label_zh),
                                if account.locked {
                                    "\t已锁定 locked"
                                } else {
                                    ""
                                },
                                account
                                    .last_station
                                    .map(|s| format!("\t最近登录于 last signed in at {s}"))
                                    .unwrap_or_default()
                            );
                        }
                    }
                    return Ok(());
                }
            };
            if json {
                say!("{}", serde_json::to_string(&users)?);
            } else {
                for user in users {
                    say!(
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
            let link = station.campus_link()?;
            crate::station::accounts::reset_pin(
                &mut station.store,
                Reach::of(link.as_deref()),
                &session,
                &name,
                &pin,
            )?;
            say!("已重置 PIN reset for {name}");
        }
    }
    Ok(())
}
