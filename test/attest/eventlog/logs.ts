/** The real event logs of test/vectors/eventlog (see its README), as bytes, by file name. */
import arch from '../../vectors/eventlog/arch-workstation.eventlog?bytes'
import cos85 from '../../vectors/eventlog/gce-cos85-amd-sev.eventlog?bytes'
import debian10 from '../../vectors/eventlog/gce-debian10-sha1.eventlog?bytes'
import rhel8 from '../../vectors/eventlog/gce-rhel8.eventlog?bytes'
import ubuntu1804 from '../../vectors/eventlog/gce-ubuntu1804-amd-sev.eventlog?bytes'
import ubuntu2104NoDbx from '../../vectors/eventlog/gce-ubuntu2104-no-dbx.eventlog?bytes'
import ubuntu2104NoSb from '../../vectors/eventlog/gce-ubuntu2104-no-secure-boot.eventlog?bytes'
import windows from '../../vectors/eventlog/gce-windows.eventlog?bytes'
import gdc from '../../vectors/eventlog/gdc-host.eventlog?bytes'
import glinux from '../../vectors/eventlog/glinux-alex.eventlog?bytes'
import mok from '../../vectors/eventlog/moklisttrusted.eventlog?bytes'
import postcode from '../../vectors/eventlog/postcode.eventlog?bytes'
import sbCert from '../../vectors/eventlog/sb-cert.eventlog?bytes'
import sdBoot from '../../vectors/eventlog/sd-boot-fedora37.eventlog?bytes'
import sha1Log from '../../vectors/eventlog/uefi-sha1-log.eventlog?bytes'

export const LOGS: Record<string, Uint8Array> = {
  'arch-workstation.eventlog': arch,
  'gce-cos85-amd-sev.eventlog': cos85,
  'gce-debian10-sha1.eventlog': debian10,
  'gce-rhel8.eventlog': rhel8,
  'gce-ubuntu1804-amd-sev.eventlog': ubuntu1804,
  'gce-ubuntu2104-no-dbx.eventlog': ubuntu2104NoDbx,
  'gce-ubuntu2104-no-secure-boot.eventlog': ubuntu2104NoSb,
  'gce-windows.eventlog': windows,
  'gdc-host.eventlog': gdc,
  'glinux-alex.eventlog': glinux,
  'moklisttrusted.eventlog': mok,
  'postcode.eventlog': postcode,
  'sb-cert.eventlog': sbCert,
  'sd-boot-fedora37.eventlog': sdBoot,
  'uefi-sha1-log.eventlog': sha1Log,
}
