#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the captured-sysfs fixtures under tests/abpath/fixtures/.

Two layouts are produced on purpose:
  "real": like a live /sys: class/* entries are relative symlinks into
          devices/..., block/sdX and dev/block/M:m are symlinks too.
  "flat": class/* entries are plain directories (hand-captured trees).
The trees are committed; run this script only to change them, then
`make -C userspace golden` and review the diff.
"""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")


def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)


def link(path, target_abs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(os.path.relpath(target_abs, os.path.dirname(path)), path)


def naa(n):
    return "naa.6001405%025x" % n


def vpd83_naa(hexstr):
    """VPD page 0x83 with one NAA designator (LUN association) and a port one."""
    raw = bytes.fromhex(hexstr)
    d1 = bytes([0x01, 0x03, 0x00, len(raw)]) + raw
    d2 = bytes([0x61, 0x94, 0x00, 0x04, 0, 0, 0, 1])  # relative port (assoc 1)
    body = d1 + d2
    return bytes([0x00, 0x83]) + struct.pack(">H", len(body)) + body


class Tree:
    def __init__(self, name, layout):
        self.root = os.path.join(FIX, name)
        self.layout = layout
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        self.dms = {}

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    def dm(self, dev, name, uuid, slaves=()):
        if self.layout == "real":
            d = self.p("devices", "virtual", "block", dev)
            link(self.p("block", dev), d)
        else:
            d = self.p("block", dev)
        w(os.path.join(d, "dm", "name"), name + "\n")
        w(os.path.join(d, "dm", "uuid"), uuid + "\n")
        w(os.path.join(d, "dev"), "254:%s\n" % dev[3:])
        for sl in slaves:
            w(os.path.join(d, "slaves", sl, ".keep"), "")
        self.dms[dev] = d

    def host(self, h, ip, netdev=None):
        if self.layout == "real":
            d = self.p("devices", "platform", "host%d" % h, "iscsi_host", "host%d" % h)
            link(self.p("class", "iscsi_host", "host%d" % h), d)
        else:
            d = self.p("class", "iscsi_host", "host%d" % h)
        if ip is not None:
            w(os.path.join(d, "ipaddress"), ip + "\n")
        w(os.path.join(d, "netdev"), (netdev or "<NULL>") + "\n")

    def session(self, sid, h, target, portal, port=3260, state="LOGGED_IN",
                conn="up", tmo=5, noop=(5, 5), iface="default", pers=True):
        if self.layout == "real":
            sdev = self.p("devices", "platform", "host%d" % h, "session%d" % sid)
            sd = os.path.join(sdev, "iscsi_session", "session%d" % sid)
            link(self.p("class", "iscsi_session", "session%d" % sid), sd)
            link(os.path.join(sd, "device"), sdev)
            cd = os.path.join(sdev, "connection%d:0" % sid, "iscsi_connection",
                              "connection%d:0" % sid)
            link(self.p("class", "iscsi_connection", "connection%d:0" % sid), cd)
        else:
            sd = self.p("class", "iscsi_session", "session%d" % sid)
            sdev = os.path.join(sd, "device")
            cd = self.p("class", "iscsi_connection", "connection%d:0" % sid)
        os.makedirs(sdev, exist_ok=True)
        if target is not None:
            w(os.path.join(sd, "targetname"), target + "\n")
        w(os.path.join(sd, "state"), state + "\n")
        if tmo is not None:
            w(os.path.join(sd, "recovery_tmo"), "%d\n" % tmo)
        w(os.path.join(sd, "ifacename"), iface + "\n")
        w(os.path.join(sd, "tpgt"), "1\n")
        if pers:
            w(os.path.join(cd, "persistent_address"), portal + "\n")
            w(os.path.join(cd, "persistent_port"), "%d\n" % port)
        if conn == "up":
            w(os.path.join(cd, "address"), portal + "\n")
            w(os.path.join(cd, "port"), "%d\n" % port)
        else:
            # a connection that is down answers reads of address and port
            # with ENOTCONN; a directory makes read() fail (EISDIR) alike
            for a in ("address", "port"):
                w(os.path.join(cd, a, "README"),
                  "Stands for an attribute whose read fails: a real kernel answers ENOTCONN\n"
                  "for \"address\" and \"port\" of a connection that is down; reading this\n"
                  "directory fails (EISDIR) the same way.\n")
        w(os.path.join(cd, "state"), conn + "\n")
        if noop is not None:
            w(os.path.join(cd, "recv_tmo"), "%d\n" % noop[0])
            w(os.path.join(cd, "ping_tmo"), "%d\n" % noop[1])
        return (sdev, h)

    def disk(self, sess, lun, name, devt, sectors, wwid=None, vpd=None,
             state="running", holders=(), part_holders=(), dev_text=None, size_text=None,
             alua=None):
        sdev, h = sess
        hctl = "%d:0:0:%d" % (h, lun)
        ld = os.path.join(sdev, "target%d:0:0" % h, hctl)
        bd = os.path.join(ld, "block", name)
        if wwid is not None:
            w(os.path.join(ld, "wwid"), wwid + "\n")
        if vpd is not None:
            w(os.path.join(ld, "vpd_pg83"), vpd)
        w(os.path.join(ld, "state"), state + "\n")
        w(os.path.join(ld, "vendor"), "LIO-ORG \n")      # padded like the kernel's
        w(os.path.join(ld, "model"), "rd_mcp (1.0)    \n")
        if alua is not None:
            # scsi_dh_alua attached: ALUA state of the disk's target port group
            w(os.path.join(ld, "access_state"), alua[0] + "\n")
            w(os.path.join(ld, "preferred_path"), "%d\n" % alua[1])
        w(os.path.join(bd, "dev"), (dev_text or "%d:%d" % devt) + "\n")
        w(os.path.join(bd, "size"), (size_text or "%d" % sectors) + "\n")
        for hd in holders:
            if self.layout == "real":
                link(os.path.join(bd, "holders", hd), self.dms[hd])
            else:
                w(os.path.join(bd, "holders", hd, ".keep"), "")
        if part_holders:
            # partition 1 held (e.g. LVM on sdX1); whole-disk holders/ empty
            pd = os.path.join(bd, name + "1")
            w(os.path.join(pd, "partition"), "1\n")
            w(os.path.join(pd, "dev"), "%d:%d\n" % (devt[0], devt[1] + 1))
            os.makedirs(os.path.join(bd, "holders"), exist_ok=True)
            for hd in part_holders:
                w(os.path.join(pd, "holders", hd, ".keep"), "")
        if self.layout == "real":
            link(self.p("block", name), bd)
            link(self.p("dev", "block", "%d:%d" % devt), bd)


GIB = 2097152  # sectors


def two_portals():
    t = Tree("two-portals", "real")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xa1))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xa1))


def four_portals():
    t = Tree("four-portals", "flat")
    iqn = "iqn.2001-05.com.example:xen-sr"
    t.dm("dm-0", "data0", "abpath-3" + naa(0xb0)[4:], slaves=("sdb", "sde", "sdh", "sdk"))
    portals = [("10.0.1.10", "10.0.1.100", 5), ("10.0.1.11", "10.0.1.100", 5),
               ("10.0.2.10", "10.0.2.100", 120), ("10.0.2.11", "10.0.2.100", 5)]
    names = iter(["sd" + c for c in "bcdefghijklm"])
    minor = 16
    for i, (portal, local, tmo) in enumerate(portals):
        h = 2 + i
        t.host(h, local, netdev="eth%d" % (1 if local.startswith("10.0.1") else 2))
        s = t.session(1 + i, h, iqn, portal, tmo=tmo)
        for lun in range(3):
            t.disk(s, lun, next(names), (8, minor), GIB * (lun + 1), wwid=naa(0xb0 + lun),
                   holders=("dm-0",) if lun == 0 else ())
            minor += 16
    w(t.p("abpath.json"), """{
  "sides": {
    "A": { "subnets": ["10.0.1.0/24"],
           "portals": [ { "ip": "10.0.1.10", "label": "A0" }, { "ip": "10.0.1.11", "label": "A1" } ] },
    "B": { "subnets": ["10.0.2.0/24"],
           "portals": [ { "ip": "10.0.2.10", "label": "B0" }, { "ip": "10.0.2.11", "label": "B1" } ] }
  },
  "prefer": "B",
  "policy": "weighted-paths",
  "weights": { "A": 3, "B": 1, "A1": 2 },
  "aliases": { "36001405%025x": "data0", "36001405%025x": "data1" }
}
""" % (0xb0, 0xb1))


def alua():
    # LIO with two ALUA target port groups: side A's portal optimized
    # (preferred), side B's non-optimized; a map reads the weights
    t = Tree("alua", "real")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.dm("dm-0", "mpatha", "mpath-3" + naa(0xa7)[4:], slaves=("sdb", "sdc"))
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xa7), holders=("dm-0",),
           alua=("active/optimized", 1))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xa7), holders=("dm-0",),
           alua=("active/non-optimized", 0))


def one_side_down():
    t = Tree("one-side-down", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.host(4, "172.16.1.31")
    t.host(5, "172.16.1.32")
    s1 = t.session(3, 4, iqn, "172.16.1.13")
    s2 = t.session(4, 5, iqn, "172.16.1.12", state="FAILED", conn="failed")
    t.disk(s1, 0, "sdd", (8, 48), GIB * 4, wwid=naa(0xc1))
    t.disk(s2, 0, "sde", (8, 64), GIB * 4, wwid=naa(0xc1), state="transport-offline")


def same_side():
    t = Tree("same-side", "real")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.host(6, "172.16.1.21")
    t.host(7, "172.16.1.22")
    s1 = t.session(5, 6, iqn, "172.16.1.10", tmo=120, noop=(0, 0))
    s2 = t.session(6, 7, iqn, "172.16.1.13", tmo=120, noop=(0, 0))
    v = vpd83_naa("6001405" + "%025x" % 0xd1)
    t.disk(s1, 0, "sdf", (8, 80), GIB, vpd=v)
    t.disk(s2, 0, "sdg", (8, 96), GIB, vpd=v)


def multi_iqn():
    t = Tree("multi-iqn", "flat")
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    t.host(4, "172.16.1.21")
    t.host(5, "172.16.1.22")
    sid = 1
    for i, iqn in enumerate(["iqn.2003-01.org.linux-iscsi.san:vol0",
                             "iqn.2003-01.org.linux-iscsi.san:vol1"]):
        for j, portal in enumerate(["172.16.1.10", "172.16.1.11"]):
            h = 2 + 2 * i + j
            s = t.session(sid, h, iqn, portal)
            name = "sd" + "bcde"[sid - 1]
            t.disk(s, 0, name, (8, 16 * sid), GIB * 2, wwid=naa(0xe0 + i))
            sid += 1


def held():
    t = Tree("held", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.dm("dm-1", "vg-lv", "LVM-Xq8s1b0a3kLw0WnA")
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xf1), holders=("dm-1",))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xf1))


def held_part():
    # LVM on a partition of the path disk: only sdb1/holders shows it
    t = Tree("held-part", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.dm("dm-1", "vg-lv", "LVM-Pq8s1b0a3kLw0WnA", slaves=("sdb1",))
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xf2), part_holders=("dm-1",))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xf2))


def reload_drop():
    # abpath's map holds sdb, sdc and sdd; sdd's session is gone: a reload
    # with the discovered paths would drop sdd from the map
    t = Tree("reload-drop", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.dm("dm-0", "3" + naa(0xf3)[4:], "abpath-3" + naa(0xf3)[4:], slaves=("sdb", "sdc", "sdd"))
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xf3), holders=("dm-0",))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xf3), holders=("dm-0",))


def mpathd_map():
    # the LUN is in a map multipathd made (uuid mpath-WWID)
    t = Tree("mpathd-map", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.dm("dm-0", "mpatha", "mpath-3" + naa(0xf4)[4:], slaves=("sdb", "sdc"))
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xf4), holders=("dm-0",))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xf4), holders=("dm-0",))


def bad_numbers():
    # two good sessions (A and B) and four whose disk has a malformed number:
    # each is reported and skipped, the LUN keeps its two good paths
    t = Tree("bad-numbers", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    bad = [(None, None), (None, None), ("99999999999:16", None), ("-1:16", None),
           ("8:16:junk", None), (None, "-5")]
    for i, (dev, size) in enumerate(bad):
        h = 2 + i
        t.host(h, "172.16.1.%d" % (21 + i))
        s = t.session(1 + i, h, iqn, "172.16.1.1%d" % (i % 2))
        t.disk(s, 0, "sd" + "bcdefg"[i], (8, 16 * (i + 1)), GIB, wwid=naa(0xa5),
               dev_text=dev, size_text=size)


def loop():
    # session2's target directory is a symlink loop: opendir fails (ELOOP),
    # which is an error for that session, not "no disks"
    t = Tree("loop", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.host(2, "172.16.1.21")
    t.host(3, "172.16.1.22")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "172.16.1.11")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xa6))
    os.symlink("target3:0:0", os.path.join(s2[0], "target3:0:0"))


def bad_portal():
    t = Tree("bad-portal", "flat")
    iqn = "iqn.2003-01.org.linux-iscsi.san:storage"
    t.host(2, "172.16.1.21")
    t.host(3, "192.168.9.21")
    s1 = t.session(1, 2, iqn, "172.16.1.10")
    s2 = t.session(2, 3, iqn, "192.168.9.9")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xa1))
    t.disk(s2, 0, "sdc", (8, 32), GIB, wwid=naa(0xa1))


def bad_missing():
    t = Tree("bad-missing", "flat")
    t.host(2, "172.16.1.21")
    s1 = t.session(1, 2, None, "172.16.1.10")
    t.disk(s1, 0, "sdb", (8, 16), GIB, wwid=naa(0xa1))


def configs():
    d = os.path.join(HERE, "configs")
    shutil.rmtree(d, ignore_errors=True)
    w(os.path.join(d, "malformed.json"), '{ "sides": { "A": { "subnets": ["172.16.1.0/24"] }, }\n')
    w(os.path.join(d, "unknown-key.json"),
      '{ "sides": { "A": { "subnets": ["172.16.1.0/24"] }, "B": { "portals": ["10.9.9.9"] } },\n'
      '  "polciy": "least-blocks" }\n')
    w(os.path.join(d, "overlap.json"),
      '{ "sides": { "A": { "subnets": ["172.16.1.0/24"] },\n'
      '             "B": { "portals": [ { "ip": "172.16.1.11", "label": "B1" } ] } } }\n')
    w(os.path.join(d, "bad-side.json"),
      '{ "sides": { "A": { "subnets": ["172.16.1.0/24"] }, "C": { "subnets": ["10.0.0.0/8"] } } }\n')
    w(os.path.join(d, "bad-policy.json"),
      '{ "sides": { "A": { "subnets": ["172.16.1.10/32"] }, "B": { "subnets": ["172.16.1.11/32"] } },\n'
      '  "policy": "fastest" }\n')
    w(os.path.join(d, "bad-alias.json"),
      '{ "sides": { "A": { "subnets": ["172.16.1.10/32"] }, "B": { "subnets": ["172.16.1.11/32"] } },\n'
      '  "aliases": { "3600140500000000000000000000000a1": "db\\" disk" } }\n')
    w(os.path.join(d, "plan2.json"),
      '{ "sides": { "A": { "portals": [ { "ip": "10.1.0.10", "label": "A0" }, { "ip": "10.1.0.12", "label": "A1" } ] },\n'
      '             "B": { "portals": [ { "ip": "10.1.0.11", "label": "B0" }, { "ip": "10.1.0.13", "label": "B1" } ] } },\n'
      '  "plan": { "subnet": "10.1.0", "pairs": [ ["A0", "B0"], ["A1", "B1"] ] } }\n')


def main():
    os.makedirs(FIX, exist_ok=True)
    for f in (two_portals, four_portals, alua, one_side_down, same_side, multi_iqn, held,
              held_part, reload_drop, mpathd_map, bad_numbers, loop, bad_portal, bad_missing, configs):
        f()
    return 0


if __name__ == "__main__":
    sys.exit(main())
