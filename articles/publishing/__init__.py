"""The publishing desk's rules: who may do what where, the workflow, corrections and previews.

- `permissions`: the one module that decides who may see, write, publish and manage what;
  the admin, the services and the preview links all ask it.
- `workflow`: the services that are the only writers of a story's status, with the table of
  allowed transitions, each recorded in the audit trail (`StatusChange`).
- `corrections`: dated notes to readers on published stories.
- `previews`: signed, expiring links to a story before it is published.
"""
