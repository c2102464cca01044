"""Which PVE packages a simulated cluster runs, and the features those package versions have.

Behaviour is gated on package versions (as upstream changes it), never on the profile name, so a
scenario can pin one package (`packages: {pve-ha-manager: 5.1.2}`) and get exactly that behaviour.
Sources for every gate: docs/simulators/proxmox.md.
"""

import re

# Representative package sets per release (pve-manager's debian/control and the packages' changelogs;
# see docs/simulators/proxmox.md for which combinations are verified and which are representative).
PROFILES = {
    '8.4': {'pve-manager': '8.4.1', 'pve-ha-manager': '4.0.7', 'pve-cluster': '8.1.0'},
    '9.0': {'pve-manager': '9.0.10', 'pve-ha-manager': '5.0.4', 'pve-cluster': '9.0.6'},
    '9.1': {'pve-manager': '9.1.8', 'pve-ha-manager': '5.1.3', 'pve-cluster': '9.1.2'},
    '9.2': {'pve-manager': '9.2.11', 'pve-ha-manager': '5.2.5', 'pve-cluster': '9.1.6'},
}
LATEST = '9.2'
PACKAGES = ('pve-manager', 'pve-ha-manager', 'pve-cluster')


def vtuple(version):
    """'5.0.7' -> (5, 0, 7); Debian suffixes ('6.1-6', '9.1.5~') count by their numbers only."""
    return tuple(int(part) for part in re.findall(r'\d+', str(version).split('~', maxsplit=1)[0])[:3])


def profile_of(version):
    """The profile ('9.1') a scenario `version` names: a profile itself or a full pve-manager version."""
    text = str(version)
    if text in PROFILES:
        return text
    release = '.'.join(text.split('.')[:2])
    if release in PROFILES:
        return release
    raise ValueError('version {0} has no profile; choose one of {1}'.format(text, ', '.join(sorted(PROFILES))))


def packages_for(version, overrides=None):
    """The package versions of a scenario: its profile's, with a full `version` as pve-manager's, then overrides."""
    profile = profile_of(version)
    packages = dict(PROFILES[profile])
    if str(version) not in PROFILES:
        packages['pve-manager'] = str(version)
    for name, value in (overrides or {}).items():
        packages[str(name)] = str(value)
    return packages


class Features(object):
    """What the installed packages can do; one attribute per upstream change the simulator follows."""

    def __init__(self, packages):
        self.packages = dict(packages)
        ha = vtuple(packages['pve-ha-manager'])
        cluster = vtuple(packages['pve-cluster'])
        self.major = vtuple(packages['pve-manager'])[0]
        # pve-ha-manager 5.0.0 (PVE 9): rules API, groups migrated to node-affinity rules, failback.
        self.rules_api = ha >= (5, 0, 0)
        self.resource_failback = ha >= (5, 0, 0)
        # 5.0.5: the pve-ha-node format replaced pve-ha-group-node (error text only).
        self.node_format_text = 'ha node' if ha >= (5, 0, 5) else 'ha group node'
        # 5.0.7: DELETE resource `purge` (default on) and merged positive rules in the checks.
        self.delete_purge = ha >= (5, 0, 7)
        self.merged_positive_checks = ha >= (5, 0, 7)
        # 5.1.2: empty `resources`/`nodes` refused; 5.1.2-5.1.3: a rule PUT without `resources` dies.
        self.empty_rule_lists_refused = ha >= (5, 1, 2)
        self.rule_put_needs_resources = (5, 1, 2) <= ha < (5, 2, 0)
        # 5.2.3 (inferred): per-resource auto-rebalance; 5.2.5 (inferred): `affinity` on node-affinity rules.
        self.resource_auto_rebalance = ha >= (5, 2, 3)
        self.node_affinity_affinity = ha >= (5, 2, 5)
        # pve-cluster 9.1.2: crs ha=dynamic and ha-auto-rebalance*; 9.1.5: thresholds in percent.
        self.crs_dynamic = cluster >= (9, 1, 2)
        self.crs_auto_rebalance = cluster >= (9, 1, 2)
        self.crs_percent = cluster >= (9, 1, 5)

    def package(self, name):
        return self.packages.get(name)
