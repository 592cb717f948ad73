"""Where the library meets the systems CRMs already run on.

- :mod:`service_recovery.integrations.platforms`: two-way status mappings for
  Zendesk, Freshdesk, Salesforce Service Cloud, ServiceNow and django-helpdesk.
"""

__all__: list[str] = []  # the integrations are its subpackages, each imported by name
