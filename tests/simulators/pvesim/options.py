"""Datacenter options (/cluster/options: ha, crs, fencing) and backup jobs: pure parsing and views."""

from fakepve.model import PveError

# Property strings PUT takes; GET returns them parsed into objects (fencing stays a plain string).
PROPERTY_KEYS = {'ha': 'shutdown_policy', 'crs': 'ha'}
ENUMS = {('ha', 'shutdown_policy'): ('freeze', 'failover', 'conditional', 'migrate'),
         ('crs', 'ha'): ('basic', 'static', 'dynamic'),
         ('crs', 'ha-auto-rebalance-method'): ('bruteforce', 'topsis')}
BOOLEANS = {('crs', 'ha-rebalance-on-start'), ('crs', 'ha-auto-rebalance')}
INTEGERS = {('crs', 'ha-auto-rebalance-threshold'), ('crs', 'ha-auto-rebalance-hold-duration'),
            ('crs', 'ha-auto-rebalance-margin')}
FENCING = ('watchdog', 'hardware', 'both')
OPTION_KEYS = ('ha', 'crs', 'fencing')


def bad(option, message):
    return PveError(400, 'Parameter verification failed.', {option: message})


def parse_property_string(option, text):
    """'shutdown_policy=freeze' -> {'shutdown_policy': 'freeze'}; a bare value is the default key's."""
    out = {}
    for part in [p for p in str(text).split(',') if p]:
        key, sep, value = part.partition('=')
        if not sep:
            key, value = PROPERTY_KEYS[option], key
        out[key] = typed_option(option, key, value)
    return out


def typed_option(option, key, value):
    """One sub-option value checked like PVE's format: an enum, a boolean or an integer."""
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
    if (option, key) in INTEGERS:
        try:
            return int(value)
        except ValueError:
            raise bad(option, 'invalid format - format error\n{0}.{1}: type check (\'integer\') failed - got '
                              "'{2}'".format(option, key, value)) from None
    raise bad(option, "invalid format - format error\n{0}.{1}: property is not defined in schema and the schema does "
                      "not allow additional properties".format(option, key))


def scenario_options(raw):
    """Scenario `options:` (objects or property strings) as stored."""
    stored = {}
    for key, value in (raw or {}).items():
        if key in PROPERTY_KEYS:
            stored[key] = parse_property_string(key, value) if isinstance(value, str) else dict(
                (k, typed_option(key, k, str(v) if not isinstance(v, bool) else int(v))) for k, v in value.items())
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


def apply_options_update(stored, values):
    """PUT /cluster/options: `delete=` resets keys, the rest are property strings. Returns the new options."""
    new = dict(stored)
    for key in [k for k in str(values.get('delete') or '').replace(';', ',').split(',') if k.strip()]:
        new.pop(key.strip(), None)
    for key, value in values.items():
        if key in ('delete', 'digest'):
            continue
        if key in PROPERTY_KEYS:
            new[key] = parse_property_string(key, value)
        elif key == 'fencing':
            new[key] = check_fencing(value)
        else:
            new[key] = value
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
