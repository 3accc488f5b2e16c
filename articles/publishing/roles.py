"""The desk's four roles, as Django groups (created by migration 0008) and regional rows."""

JOURNALIST_GROUP = "журналист"
REGIONAL_EDITOR_GROUP = "редактор региона"
CHIEF_EDITOR_GROUP = "главный редактор"
ADMIN_GROUP = "администратор"

DESK_GROUPS = (JOURNALIST_GROUP, REGIONAL_EDITOR_GROUP, CHIEF_EDITOR_GROUP, ADMIN_GROUP)
