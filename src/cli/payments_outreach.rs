//! `retain payments outreach ID [--send]`: the letter a failed payment calls for, as the
//! payments pane's `o` writes it; with `--send`, handed to the team's mail command and logged
//! as an email on the account.

use anyhow::{Result, bail};

use super::Ctx;
use crate::services::outreach::{compose, send};
use crate::store::Create;

#[derive(Debug, clap::Args)]
pub struct OutreachArgs {
    pub payment_id: i64,
    /// Send it through mail_command (payments.toml) and log it as an email on the account
    #[arg(long)]
    pub send: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: &OutreachArgs) -> Result<()> {
    let (policy, mail) = crate::config::payments()?;
    let mut store = ctx.open(Create::Never)?;
    let rep = store.rep(&ctx.login)?;
    if args.send && rep.is_none() {
        bail!(
            "{} is not an active rep: a letter sent from here is logged in a rep's name (an admin can use --as LOGIN)",
            ctx.login
        );
    }
    let now = ctx.now();
    let item = crate::services::payments::queue_items(&store, ctx.today, now, &policy)?
        .into_iter()
        .find(|i| i.payment_id == Some(args.payment_id))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "payment {} is not in dunning (`retain payments` lists those that are)",
                args.payment_id
            )
        })?;
    let card = store
        .account_card(item.account_id)?
        .ok_or_else(|| anyhow::anyhow!("account {} is gone", item.account_id))?;
    let signed = rep.map_or_else(|| ctx.login.clone(), |(name, _)| name);
    let letter = compose(&item, &card, &signed, &mail, now)?;
    if args.send {
        send(&letter, &mail)?;
        let logged = store.log_interaction(
            letter.account_id,
            &letter.as_interaction(&ctx.login, now),
            &ctx.os_user,
            now,
        );
        let to = letter.to.as_ref().map_or("", |r| r.email.as_str());
        match logged {
            Ok(id) if args.json => crate::say!(
                "{}",
                crate::display::to_json(
                    &serde_json::json!({ "sent_to": to, "interaction_id": id })
                )?
            ),
            Ok(id) => crate::say!("sent to {to} and logged as email #{id}"),
            Err(e) => bail!("the letter was sent, but logging it failed: {e}; log it by hand"),
        }
        return Ok(());
    }
    if args.json {
        crate::say!("{}", crate::display::to_json(&letter)?);
    } else {
        crate::say!("{}", letter.text().trim_end());
        crate::say!("\n(from {})", letter.template);
    }
    Ok(())
}
