"""Datacenter options (/cluster/options: ha, crs, fencing) and backup jobs: pure parsing and views.

The crs keys follow pve-cluster's DataCenterConfig.pm per version (versions.Features): `ha=dynamic` and the
ha-auto-rebalance* keys from 9.1.2, threshold and margin as 0-1 fractions until 9.1.4 and 0-100 percent
from 9.1.5; threshold, margin and hold-duration are numbers (12.5 is valid).
"""

from fakepve.model import PveError

# Property strings PUT takes; GET returns them parsed into objects (fencing stays a plain string).
PROPERTY_KEYS = {'ha': 'shutdown_policy', 'crs': 'ha'}
ENUMS = {('ha', 'shutdown_policy'): ('freeze', 'failover', 'conditional', 'migrate'),
         ('crs', 'ha'): ('basic', 'static', 'dynamic'),
         ('crs', 'ha-auto-rebalance-method'): ('bruteforce', 'topsis')}
BOOLEANS = {('crs', 'ha-rebalance-on-start'), ('crs', 'ha-auto-rebalance')}
NUMBERS = {('crs', 'ha-auto-rebalance-threshold'), ('crs', 'ha-auto-rebalance-hold-duration'),
           ('crs', 'ha-auto-rebalance-margin')}
AUTO_REBALANCE_KEYS = ('ha-auto-rebalance', 'ha-auto-rebalance-threshold', 'ha-auto-rebalance-method',
                       'ha-auto-rebalance-hold-duration', 'ha-auto-rebalance-margin')
PERCENT_KEYS = ('ha-auto-rebalance-threshold', 'ha-auto-rebalance-margin')
FENCING = ('watchdog', 'hardware', 'both')
OPTION_KEYS = ('ha', 'crs', 'fencing')


def bad(option, message):
    return PveError(400, 'Parameter verification failed.', {option: message})


def _format_error(option, key, message):
    return bad(option, 'invalid format - format error\n{0}.{1}: {2}'.format(option, key, message))


def parse_property_string(option, text, features=None):
    """'shutdown_policy=freeze' -> {'shutdown_policy': 'freeze'}; a bare value is the default key's."""
    out = {}
    for part in [p for p in str(text).split(',') if p]:
        key, sep, value = part.partition('=')
        if not sep:
            key, value = PROPERTY_KEYS[option], key
        out[key] = typed_option(option, key, value, features)
    if option == 'crs':
        for key in AUTO_REBALANCE_KEYS[1:]:
            if key in out and 'ha-auto-rebalance' not in out:
                raise bad(option, "invalid format - format error\ncrs.ha-auto-rebalance: missing property required "
                                  "by 'crs.{0}'".format(key))
    return out


def _gate(option, key, value, features):
    """What the installed pve-cluster does not know is not in its schema."""
    if features is None or option != 'crs':
        return
    if key in AUTO_REBALANCE_KEYS and not features.crs_auto_rebalance:
        raise _format_error(option, key, 'property is not defined in schema and the schema does not allow '
                                         'additional properties')
    if key == 'ha' and value == 'dynamic' and not features.crs_dynamic:
        raise _format_error(option, key, "value 'dynamic' does not have a value in the enumeration 'basic, static'")


def number(option, key, value, features=None):
    """A crs number as PVE stores it: an int when whole, else a float; range per pve-cluster version."""
    try:
        parsed = float(value)
    except ValueError:
        raise _format_error(option, key, "type check ('number') failed - got '{0}'".format(value)) from None
    if parsed < 0:
        raise _format_error(option, key, 'value must have a minimum value of 0')
    if key in PERCENT_KEYS and (features is None or features.crs_percent) and parsed > 100:
        raise _format_error(option, key, 'value must have a maximum value of 100')
    return int(parsed) if parsed.is_integer() else parsed


def typed_option(option, key, value, features=None):
    """One sub-option value checked like PVE's format: an enum, a boolean or a number."""
    _gate(option, key, value, features)
    allowed = ENUMS.get((option, key))
    if allowed is not None:
        if value not in allowed:
            raise bad(option, "invalid format - format error\n{0}.{1}: value '{2}' does not have a value in the "
                              "enumeration '{3}'".format(option, key, value, ', '.join(allowed)))
        return value
    if (option, key) in BOOLEANS:
        if str(value).lower() not in ('0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'):
            raise bad(option, 'invalid format - format error\n{0}.{1}: type check (\'boolean\') failed - got '
                              "'{2}'".format(option, key, value))
        return 1 if str(value).lower() in ('1', 'true', 'yes', 'on') else 0
    if (option, key) in NUMBERS:
        return number(option, key, value, features)
    raise bad(option, "invalid format - format error\n{0}.{1}: property is not defined in schema and the schema does "
                      "not allow additional properties".format(option, key))


def scenario_options(raw, features=None):
    """Scenario `options:` (objects or property strings) as stored."""
    stored = {}
    for key, value in (raw or {}).items():
        if key in PROPERTY_KEYS:
            stored[key] = parse_property_string(key, value, features) if isinstance(value, str) else dict(
                (k, typed_option(key, k, str(v) if not isinstance(v, bool) else int(v), features))
                for k, v in value.items())
        elif key == 'fencing':
            stored[key] = check_fencing(value)
        else:
            stored[key] = value
    return stored


def check_fencing(value):
    if value not in FENCING:
        raise bad('fencing', "value '{0}' does not have a value in the enumeration '{1}'".format(
            value, ', '.join(FENCING)))
    return value


def apply_options_update(stored, values, features=None):
    """PUT /cluster/options: the given keys are set, then `delete=` removes keys (a key both set and deleted
    ends up deleted, as pve-manager's set_options does). Returns the new options."""
    new = dict(stored)
    for key, value in values.items():
        if key in ('delete', 'digest'):
            continue
        if key in PROPERTY_KEYS:
            new[key] = parse_property_string(key, value, features)
        elif key == 'fencing':
            new[key] = check_fencing(value)
        else:
            new[key] = value
    for key in [k for k in str(values.get('delete') or '').replace(';', ',').split(',') if k.strip()]:
        new.pop(key.strip(), None)
    return new


def backup_job_view(job):
    """A backup job as GET /cluster/backup shows it: the stored keys, booleans as 0/1, lists comma-joined."""
    view = {'id': str(job['id']), 'type': 'vzdump', 'enabled': 1 if as_flag(job.get('enabled', True)) else 0,
            'schedule': str(job.get('schedule', '00:00'))}
    for key, value in job.items():
        if key in view or key == 'all' or value in (None, ''):
            continue
        view[key] = ','.join(str(v) for v in value) if isinstance(value, (list, tuple)) else value
    if as_flag(job.get('all')):
        view['all'] = 1
    return view


def as_flag(value):
    if isinstance(value, str):
        return value.lower() in ('1', 'true', 'yes', 'on')
    return bool(value)


def apply_backup_update(job, values):
    """PUT /cluster/backup/{id}: delete= clears keys, blank values clear too, the rest are stored."""
    new = dict(job)
    for key in [k for k in str(values.get('delete') or '').replace(';', ',').split(',') if k.strip()]:
        new.pop(key.strip(), None)
    for key, value in values.items():
        if key in ('delete', 'id', 'digest'):
            continue
        if value == '':
            new.pop(key, None)
        else:
            new[key] = value
    return new


def backup_covers(job, vmid, pool_of=None):
    """True if the enabled job backs up this guest (all minus exclude, a vmid list, or a pool)."""
    view = backup_job_view(job)
    if not view['enabled']:
        return False
    excluded = set(str(view.get('exclude', '')).split(','))
    if view.get('all'):
        return str(vmid) not in excluded
    if view.get('vmid'):
        return str(vmid) in str(view['vmid']).split(',')
    return bool(view.get('pool')) and pool_of is not None and pool_of(vmid) == view['pool']
