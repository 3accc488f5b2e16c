"""Russian date formats where Django's own read wrong.

Django's "j F" puts the month in the nominative ("1 Декабрь", in the desk's date drill-down); a
day and month take the genitive: "1 декабря". Everything not named here is Django's.
"""

MONTH_DAY_FORMAT = "j E"
