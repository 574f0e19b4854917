-- A neutralized copy of the database (odoo neutralize, or a copy made with neutralization) never
-- talks to the production PSB: the connection is switched off (Settings shows a banner), the
-- webhook secret is cleared so that no event signed by the PSB is accepted, the access token is
-- forgotten, and the hook ids are cleared so that a later Register webhook (after choosing an
-- environment again) creates new hooks instead of re-pointing the production ones.
UPDATE res_company
   SET psb_environment = 'disabled',
       psb_webhook_secret = NULL,
       psb_access_token = NULL,
       psb_token_expires_at = 0,
       psb_hook_id = NULL,
       psb_hook_state = 'none',
       psb_hook_url = NULL,
       psb_hook_message = NULL,
       psb_alert_hook_id = NULL,
       psb_alert_hook_state = 'none',
       psb_alert_hook_message = NULL;
