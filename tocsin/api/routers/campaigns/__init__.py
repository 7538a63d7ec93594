"""Campaigns, events, shifts, RSVPs, check-ins and turnout: one router per concept.

A campaign is for the members of its owner and of the organizations taking part; an event
for whoever tocsin.campaigns.access lets see it (its public, members or organization
visibility), and for the organizers of the organizations that host it, run its campaign,
take part in it or may promote it. Anyone else gets 404, whatever they send
(tocsin.api.access: CAMPAIGN_READER, EVENT_READER). RSVPs and check-ins are the token's
person's own; who RSVPed is for the host's organizers only.
"""

from . import attendance, campaigns, events

routers = (campaigns.router, events.router, attendance.router)
