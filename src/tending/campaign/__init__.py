"""Campaigns as plans: goal and KPIs, channels and identifiers, worst-case scenarios, alerts.

models     tables and edge models
service    create / read campaigns, KPIs (record_kpi_value), scenarios, draft posts
launch     launch_campaign and the rules a plan must meet
traffic    campaign_messages: the campaign's share of stored messages
kpi        kpi_progress: measured series against target and expected trajectory
scenarios  match_scenarios(_batch): prepared worst cases recognised in new messages
risk       backlash_risk of a draft post from the brand's own history
spikes     campaign_volume_series, raise_spike_alert, detect_campaign_spikes (pluggable detector)
"""
