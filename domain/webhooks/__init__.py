"""Outbound webhooks: subscriptions, fan-out of outbox events into deliveries, signed delivery
with retries and backoff, the delivery log, auto-disable, test-fire and redelivery, and the SSRF
guard on targets. Importing `domain.webhooks.fanout` registers its outbox handlers.
"""
