"""Deals closed in a period, and each won deal's days from first contact to close.

First contact is the earlier of two moments of the deal's first contact (the first of its
`contact_ids`, i.e. the lowest `deal_contacts.position`): when that contact was created, and that
contact's first activity. A deal without contacts counts from its own creation. A first contact
recorded after the close (a contact imported later) would give a negative cycle; it counts as 0.

That moment is kept per closed deal in `deal_closings.first_contact_at` by the triggers of
migration 0010 (`report_first_contact_at` is its definition), so a period's cycles are one index
range instead of three probes per deal. Both the summary and the sources report read these.
"""

from __future__ import annotations

from domain.reports.scope import ReportScope

# Both select only columns their index INCLUDEs (ix_deals_report_closed, ix_deal_closings_closed),
# so a period's rows are read from the index alone.


def closed_deals_sql(scope: ReportScope) -> str:
    """Won and lost deals closed in the period (after the pipeline and owner filters)."""
    return f"""
        SELECT d.status, d.currency, d.amount, d.source
        FROM deals d
        WHERE d.workspace_id = :ws AND d.closed_at >= :start AND d.closed_at < :end
          AND d.status IN ('won', 'lost'){scope.deal_filters("d")}
    """


def won_cycles_sql(scope: ReportScope) -> str:
    """Deals won in the period with `days_to_close` (fractional days) and their `source`."""
    return f"""
        SELECT c.source,
               GREATEST(EXTRACT(EPOCH FROM c.closed_at - c.first_contact_at) / 86400, 0) AS days_to_close
        FROM deal_closings c
        WHERE c.workspace_id = :ws AND c.closed_at >= :start AND c.closed_at < :end
          AND c.status = 'won'{scope.deal_filters("c")}
    """
