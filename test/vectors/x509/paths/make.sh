#!/usr/bin/env bash
# Regenerates the RFC 5280 path-processing fixtures in this folder with OpenSSL 3 (made with
# OpenSSL 3.0.x on Debian). Run it from anywhere; it writes *.der here and keeps no keys.
# All certificates are valid from generation time for 100 years (tests pick a time in 2030).
# Names: r-* roots, i-* intermediates, l-* leaves. What each tests:
#   r-p256           P-256 self-signed root (ecdsa-with-SHA256)
#   i-anypol         CA under r-p256 with critical certificatePolicies anyPolicy (STMicro/IFX style)
#   l-tcgpol         leaf under i-anypol, certificatePolicies 2.23.133.11.1.1 (TCG), critical TCG SAN
#   i-explicit       CA under r-p256, critical policies {1.3.6.1.4.1.55555.2.1} and
#                    policyConstraints requireExplicitPolicy:0
#   l-explicit-ok    leaf under i-explicit with that policy
#   l-explicit-other leaf under i-explicit with another policy only   -> ERR_CERT_POLICY
#   l-explicit-none  leaf under i-explicit without policies            -> ERR_CERT_POLICY
#   i-inhibit        CA under r-p256: anyPolicy, requireExplicitPolicy:0, inhibitAnyPolicy:0
#   l-inhibit-any    leaf under i-inhibit whose only policy is anyPolicy -> ERR_CERT_POLICY
#   i-map            CA under r-p256: policy .55555.2.1, mapped to .55555.2.9, explicit policy
#   l-map-ok         leaf under i-map with .55555.2.9 (the mapped policy)
#   l-map-unmapped   leaf under i-map with .55555.2.1 only             -> ERR_CERT_POLICY
#   i-nc             CA under r-p256: critical nameConstraints permitted dirName O=Aegis Test Vendor,
#                    excluded DNS bad.example
#   l-nc-ok          leaf under i-nc, subject O=Aegis Test Vendor,CN=ok
#   l-nc-outside     leaf under i-nc, subject O=Elsewhere,CN=x       -> ERR_CERT_NAME_CONSTRAINTS
#   l-nc-san-ok      leaf under i-nc, empty subject, critical SAN dirName O=Aegis Test Vendor,...
#   l-nc-dns-bad     leaf under i-nc, subject inside, SAN DNS host.bad.example -> ERR_CERT_NAME_CONSTRAINTS
#   r-gs             "GlobalSign-like" P-384 self-signed root
#   r-vendor-cross   the vendor root's key and name, issued by r-gs (not self-signed: a cross-signed
#                    root, as "STM TPM ECC Root CA 01" is by GlobalSign)
#   i-vendor         CA issued by the vendor root key
#   l-vendor         leaf under i-vendor
#   r-p521           P-521 self-signed root, ecdsa-with-SHA512
#   i-p521           P-384 CA under r-p521 (ecdsa-with-SHA512), pathlen:1
#   i-p521-2         P-256 CA under i-p521, pathlen:0 (multi-hop: 4-certificate path)
#   l-p521           leaf under i-p521-2
#   r-rsa4096        RSA-4096 self-signed root, sha512WithRSAEncryption, pathlen:1
#   i-pss            RSA-3072 CA under r-rsa4096 signed RSASSA-PSS SHA-384 salt 48
#   l-pss            leaf under i-pss, sha256WithRSAEncryption
#   i-pss-2          CA under i-pss (pathlen of r-rsa4096 exceeded below it)
#   l-pss-2          leaf under i-pss-2                                -> ERR_CERT_CA_CONSTRAINTS
#   i-unknown        CA under r-p256 with an unknown critical extension 1.3.6.1.4.1.55555.9
#   l-unknown        leaf under i-unknown                              -> ERR_CERT_UNKNOWN_CRITICAL_EXTENSION
set -euo pipefail
cd "$(dirname "$0")"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$1" -out "$t/$2.key" 2>/dev/null; }
rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$1" -out "$t/$2.key" 2>/dev/null; }
CA='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
LEAF='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\nextendedKeyUsage=2.23.133.8.1'
TCGSAN='subjectAltName=critical,dirName:tpm_dn\n[tpm_dn]\nm.2.23.133.2.1=id:414D4400\nm.2.23.133.2.2=AegisTPM\nm.2.23.133.2.3=id:00020008'
serial=100
# cert NAME KEY ISSUER SUBJECT DIGEST EXT [sigopts...]: NAME.pem/.der for KEY, signed by ISSUER
cert() {
  local name=$1 key=$2 issuer=$3 subj=$4 md=$5 extension=$6; shift 6
  serial=$((serial + 1))
  printf '[v3]\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n%b\n' "$extension" > "$t/$name.cnf"
  openssl req -new -key "$t/$key.key" -subj "$subj" -out "$t/$name.csr"
  openssl x509 -req -in "$t/$name.csr" -CA "$t/$issuer.pem" -CAkey "$t/$issuer.key" \
    -set_serial "$serial" -days 36500 "-$md" -extfile "$t/$name.cnf" -extensions v3 "$@" \
    -out "$t/$name.pem"
  # x509 -req reads the issuer's key by the issuer's name; keep a copy for certificates below.
  cp "$t/$key.key" "$t/$name.key" 2>/dev/null || true
  openssl x509 -in "$t/$name.pem" -outform der -out "$name.der"
}
root() {
  local name=$1 subj=$2 md=$3 extra=${4:-}
  openssl req -x509 -new -key "$t/$name.key" -subj "$subj" -days 36500 "-$md" -set_serial 1 \
    -addext 'basicConstraints=critical,CA:TRUE'"$extra" -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -addext 'subjectKeyIdentifier=hash' -out "$t/$name.pem"
  openssl x509 -in "$t/$name.pem" -outform der -out "$name.der"
}
leafkey() { ec prime256v1 "$1"; }

ec prime256v1 r-p256; root r-p256 '/O=Aegis Test Vendor/CN=Aegis Path Root P-256' sha256
ec prime256v1 i-anypol
cert i-anypol i-anypol r-p256 '/O=Aegis Test Vendor/CN=Critical anyPolicy CA' sha256 "$CA\ncertificatePolicies=critical,2.5.29.32.0"
leafkey l-tcgpol
cert l-tcgpol l-tcgpol i-anypol '/' sha256 "$LEAF\ncertificatePolicies=2.23.133.11.1.1\n$TCGSAN"

ec prime256v1 i-explicit
cert i-explicit i-explicit r-p256 '/O=Aegis Test Vendor/CN=Explicit Policy CA' sha256 "$CA\ncertificatePolicies=critical,1.3.6.1.4.1.55555.2.1\npolicyConstraints=critical,requireExplicitPolicy:0"
leafkey l-explicit-ok; cert l-explicit-ok l-explicit-ok i-explicit '/CN=Explicit OK' sha256 "$LEAF\ncertificatePolicies=1.3.6.1.4.1.55555.2.1"
leafkey l-explicit-other; cert l-explicit-other l-explicit-other i-explicit '/CN=Explicit Other' sha256 "$LEAF\ncertificatePolicies=1.3.6.1.4.1.55555.2.2"
leafkey l-explicit-none; cert l-explicit-none l-explicit-none i-explicit '/CN=Explicit None' sha256 "$LEAF"

ec prime256v1 i-inhibit
cert i-inhibit i-inhibit r-p256 '/O=Aegis Test Vendor/CN=Inhibit anyPolicy CA' sha256 "$CA\ncertificatePolicies=critical,2.5.29.32.0\npolicyConstraints=critical,requireExplicitPolicy:0\ninhibitAnyPolicy=critical,0"
leafkey l-inhibit-any; cert l-inhibit-any l-inhibit-any i-inhibit '/CN=Only anyPolicy' sha256 "$LEAF\ncertificatePolicies=2.5.29.32.0"

ec prime256v1 i-map
cert i-map i-map r-p256 '/O=Aegis Test Vendor/CN=Policy Mapping CA' sha256 "$CA\ncertificatePolicies=critical,1.3.6.1.4.1.55555.2.1\npolicyMappings=critical,1.3.6.1.4.1.55555.2.1:1.3.6.1.4.1.55555.2.9\npolicyConstraints=critical,requireExplicitPolicy:0"
leafkey l-map-ok; cert l-map-ok l-map-ok i-map '/CN=Mapped policy' sha256 "$LEAF\ncertificatePolicies=1.3.6.1.4.1.55555.2.9"
leafkey l-map-unmapped; cert l-map-unmapped l-map-unmapped i-map '/CN=Unmapped policy' sha256 "$LEAF\ncertificatePolicies=1.3.6.1.4.1.55555.2.1"

ec prime256v1 i-nc
cert i-nc i-nc r-p256 '/O=Aegis Test Vendor/CN=Name Constrained CA' sha256 "$CA\nnameConstraints=critical,permitted;dirName:nc_dn,excluded;DNS:bad.example\n[nc_dn]\nO=Aegis Test Vendor"
leafkey l-nc-ok; cert l-nc-ok l-nc-ok i-nc '/O=Aegis Test Vendor/CN=ok' sha256 "$LEAF"
leafkey l-nc-outside; cert l-nc-outside l-nc-outside i-nc '/O=Elsewhere/CN=x' sha256 "$LEAF"
leafkey l-nc-san-ok; cert l-nc-san-ok l-nc-san-ok i-nc '/' sha256 "$LEAF\nsubjectAltName=critical,dirName:san_dn\n[san_dn]\nO=Aegis Test Vendor\nCN=TPM"
leafkey l-nc-dns-bad; cert l-nc-dns-bad l-nc-dns-bad i-nc '/O=Aegis Test Vendor/CN=dns' sha256 "$LEAF\nsubjectAltName=DNS:host.bad.example"

ec secp384r1 r-gs; root r-gs '/O=Aegis Test GlobalSign-like/CN=Aegis Cross Root' sha384
ec prime256v1 r-vendor
cert r-vendor-cross r-vendor r-gs '/O=Aegis Test Vendor/CN=Aegis Vendor ECC Root CA 01' sha384 "$CA"
# The intermediate is signed by the vendor root's key: issue it from the cross certificate.
cp "$t/r-vendor.key" "$t/r-vendor-cross.key"
ec prime256v1 i-vendor
cert i-vendor i-vendor r-vendor-cross '/O=Aegis Test Vendor/CN=Aegis Vendor ECC Intermediate CA 01' sha256 "$CA\ncertificatePolicies=critical,2.5.29.32.0"
leafkey l-vendor; cert l-vendor l-vendor i-vendor '/' sha256 "$LEAF\n$TCGSAN"

ec secp521r1 r-p521; root r-p521 '/O=Aegis Test Vendor/CN=Aegis Root P-521' sha512
ec secp384r1 i-p521
cert i-p521 i-p521 r-p521 '/O=Aegis Test Vendor/CN=P-384 CA under P-521' sha512 "$CA\nbasicConstraints=critical,CA:TRUE,pathlen:1"
ec prime256v1 i-p521-2
cert i-p521-2 i-p521-2 i-p521 '/O=Aegis Test Vendor/CN=P-256 CA two hops down' sha384 "$CA\nbasicConstraints=critical,CA:TRUE,pathlen:0"
leafkey l-p521; cert l-p521 l-p521 i-p521-2 '/CN=Leaf three hops down' sha256 "$LEAF"

rsa 4096 r-rsa4096; root r-rsa4096 '/O=Aegis Test Vendor/CN=Aegis Root RSA-4096' sha512 ',pathlen:1'
rsa 3072 i-pss
cert i-pss i-pss r-rsa4096 '/O=Aegis Test Vendor/CN=CA signed with RSASSA-PSS' sha384 "$CA" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48
rsa 2048 l-pss; cert l-pss l-pss i-pss '/CN=Leaf of the PSS-signed CA' sha256 "$LEAF"
rsa 2048 i-pss-2; cert i-pss-2 i-pss-2 i-pss '/O=Aegis Test Vendor/CN=CA below pathlen 0 root' sha256 "$CA"
rsa 2048 l-pss-2; cert l-pss-2 l-pss-2 i-pss-2 '/CN=Leaf too deep' sha256 "$LEAF"

ec prime256v1 i-unknown
cert i-unknown i-unknown r-p256 '/O=Aegis Test Vendor/CN=CA with unknown critical extension' sha256 "$CA\n1.3.6.1.4.1.55555.9=critical,DER:0500"
leafkey l-unknown; cert l-unknown l-unknown i-unknown '/CN=Leaf of odd CA' sha256 "$LEAF"
ls ./*.der | wc -l
