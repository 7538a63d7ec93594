# Dates and times as Somali writes them: day before month, a 24-hour clock
# ("7 Desembar 2026, 14:30"). Django ships no Somali formats; FORMAT_MODULE_PATH finds these.
# https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-12-07', what a date input sends
    "%d/%m/%Y",  # '07/12/2026'
    "%d/%m/%y",  # '07/12/26'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # '2026-12-07T14:30', what a datetime-local input sends
    "%Y-%m-%d %H:%M:%S",  # '2026-12-07 14:30:59'
    "%Y-%m-%d %H:%M",  # '2026-12-07 14:30'
    "%d/%m/%Y %H:%M:%S",  # '07/12/2026 14:30:59'
    "%d/%m/%Y %H:%M",  # '07/12/2026 14:30'
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '14:30:59'
    "%H:%M",  # '14:30'
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
