/**
 * The RFC 5280 path-processing fixtures of test/vectors/x509/paths (made by make.sh there, which
 * says what each certificate is for), imported as bytes so they load inside workerd.
 */
import i_anypol from '../../vectors/x509/paths/i-anypol.der?bytes'
import i_explicit from '../../vectors/x509/paths/i-explicit.der?bytes'
import i_inhibit from '../../vectors/x509/paths/i-inhibit.der?bytes'
import i_map from '../../vectors/x509/paths/i-map.der?bytes'
import i_nc from '../../vectors/x509/paths/i-nc.der?bytes'
import i_p521 from '../../vectors/x509/paths/i-p521.der?bytes'
import i_p521_2 from '../../vectors/x509/paths/i-p521-2.der?bytes'
import i_pss from '../../vectors/x509/paths/i-pss.der?bytes'
import i_pss_2 from '../../vectors/x509/paths/i-pss-2.der?bytes'
import i_unknown from '../../vectors/x509/paths/i-unknown.der?bytes'
import i_vendor from '../../vectors/x509/paths/i-vendor.der?bytes'
import l_explicit_none from '../../vectors/x509/paths/l-explicit-none.der?bytes'
import l_explicit_ok from '../../vectors/x509/paths/l-explicit-ok.der?bytes'
import l_explicit_other from '../../vectors/x509/paths/l-explicit-other.der?bytes'
import l_inhibit_any from '../../vectors/x509/paths/l-inhibit-any.der?bytes'
import l_map_ok from '../../vectors/x509/paths/l-map-ok.der?bytes'
import l_map_unmapped from '../../vectors/x509/paths/l-map-unmapped.der?bytes'
import l_nc_dns_bad from '../../vectors/x509/paths/l-nc-dns-bad.der?bytes'
import l_nc_ok from '../../vectors/x509/paths/l-nc-ok.der?bytes'
import l_nc_outside from '../../vectors/x509/paths/l-nc-outside.der?bytes'
import l_nc_san_ok from '../../vectors/x509/paths/l-nc-san-ok.der?bytes'
import l_p521 from '../../vectors/x509/paths/l-p521.der?bytes'
import l_pss from '../../vectors/x509/paths/l-pss.der?bytes'
import l_pss_2 from '../../vectors/x509/paths/l-pss-2.der?bytes'
import l_tcgpol from '../../vectors/x509/paths/l-tcgpol.der?bytes'
import l_unknown from '../../vectors/x509/paths/l-unknown.der?bytes'
import l_vendor from '../../vectors/x509/paths/l-vendor.der?bytes'
import r_gs from '../../vectors/x509/paths/r-gs.der?bytes'
import r_p256 from '../../vectors/x509/paths/r-p256.der?bytes'
import r_p521 from '../../vectors/x509/paths/r-p521.der?bytes'
import r_rsa4096 from '../../vectors/x509/paths/r-rsa4096.der?bytes'
import r_vendor_cross from '../../vectors/x509/paths/r-vendor-cross.der?bytes'

export const pathDer = {
  'i-anypol': i_anypol,
  'i-explicit': i_explicit,
  'i-inhibit': i_inhibit,
  'i-map': i_map,
  'i-nc': i_nc,
  'i-p521': i_p521,
  'i-p521-2': i_p521_2,
  'i-pss': i_pss,
  'i-pss-2': i_pss_2,
  'i-unknown': i_unknown,
  'i-vendor': i_vendor,
  'l-explicit-none': l_explicit_none,
  'l-explicit-ok': l_explicit_ok,
  'l-explicit-other': l_explicit_other,
  'l-inhibit-any': l_inhibit_any,
  'l-map-ok': l_map_ok,
  'l-map-unmapped': l_map_unmapped,
  'l-nc-dns-bad': l_nc_dns_bad,
  'l-nc-ok': l_nc_ok,
  'l-nc-outside': l_nc_outside,
  'l-nc-san-ok': l_nc_san_ok,
  'l-p521': l_p521,
  'l-pss': l_pss,
  'l-pss-2': l_pss_2,
  'l-tcgpol': l_tcgpol,
  'l-unknown': l_unknown,
  'l-vendor': l_vendor,
  'r-gs': r_gs,
  'r-p256': r_p256,
  'r-p521': r_p521,
  'r-rsa4096': r_rsa4096,
  'r-vendor-cross': r_vendor_cross,
}
