#!/usr/bin/env bash
# Regenerates the X.509 fixtures in this folder with OpenSSL 3 (made with OpenSSL 3.0.19).
# They complement the swtpm EK chain in shared/vectors/tpm2-tools (RSA PKCS#1 v1.5 only) with
# the other signature algorithms and with the constraint violations the chain verifier must catch.
# (In the dirName section the "m." prefixes are stripped by OpenSSL; they stop it eating "2.".)
# Validity: from the time of generation for 100 years, except ec-inter (10 years), so a test can
# pick a time when the leaf is still valid but its issuer has expired. Keys are throwaway and not kept.
#   ec-root      P-384, self-signed ecdsa-with-SHA384, CA, keyCertSign
#   ec-inter     P-256, by ec-root with ecdsa-with-SHA512, CA pathlen:0
#   ec-leaf      P-256, by ec-inter with ecdsa-with-SHA256, critical TCG-style SAN + EK EKU
#   ec-inter2    P-256, by ec-inter (CA): exceeds ec-inter's pathlen:0
#   ec-leaf2     P-256, by ec-inter2
#   ec-critical  P-256, by ec-inter, with an unknown critical extension (1.3.6.1.4.1.55555.1)
#   impostor     P-256, by ec-root, subject "CN=swtpm-localca" (the swtpm EK issuer's name) and no
#                SKI: matches the swtpm EK certificates by name only, so only signatures expose it
#   rsa-root     RSA-2048, self-signed sha256WithRSAEncryption, CA
#   pss-leaf     RSA-2048, by rsa-root with RSASSA-PSS SHA-256 salt 32
#   pss384-leaf  RSA-3072, by rsa-root with RSASSA-PSS SHA-384 salt 48
#   sha1-leaf    RSA-2048, by rsa-root with sha1WithRSAEncryption
#   notca-inter  RSA-2048, by rsa-root, basicConstraints CA:FALSE (but used as an issuer)
#   notca-leaf   by notca-inter
#   nokcs-inter  RSA-2048, by rsa-root, CA:TRUE but keyUsage digitalSignature only
#   nokcs-leaf   by nokcs-inter
set -euo pipefail
cd "$(dirname "$0")"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$1" -out "$t/$2.key" 2>/dev/null; }
rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$1" -out "$t/$2.key" 2>/dev/null; }
ext() { printf '[v3]\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n%b\n' "$1" > "$t/$2.cnf"; }
CA='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign'
LEAF='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment'
# issue NAME ISSUER SERIAL DAYS SUBJECT DIGEST EXT [sigopts...]
issue() {
  local name=$1 issuer=$2 serial=$3 days=$4 subj=$5 md=$6 extension=$7; shift 7
  openssl req -new ${REQ_CONFIG:+-config "$REQ_CONFIG"} -key "$t/$name.key" -subj "$subj" -out "$t/$name.csr"
  ext "$extension" "$name"
  openssl x509 -req -in "$t/$name.csr" -CA "$issuer.pem" -CAkey "$t/$issuer.key" -set_serial "$serial" \
    -days "$days" "-$md" -extfile "$t/$name.cnf" -extensions v3 "$@" -out "$name.pem"
  openssl x509 -in "$name.pem" -outform der -out "$name.der"
}
selfsign() {
  local name=$1 subj=$2 md=$3
  openssl req -x509 -new -key "$t/$name.key" -subj "$subj" -days 36500 "-$md" -set_serial 1 \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -addext 'subjectKeyIdentifier=hash' -out "$name.pem"
  openssl x509 -in "$name.pem" -outform der -out "$name.der"
}

ec secp384r1 ec-root; selfsign ec-root '/C=DE/O=Aegis Test TPM Vendor/CN=Aegis Test EC Root' sha384
ec prime256v1 ec-inter
issue ec-inter ec-root 2 3650 '/O=Aegis Test TPM Vendor/CN=Aegis Test EC Intermediate' sha512 "$CA\nbasicConstraints=critical,CA:TRUE,pathlen:0"
ec prime256v1 ec-leaf
issue ec-leaf ec-inter 3 36500 '/' sha256 "$LEAF\nextendedKeyUsage=2.23.133.8.1\nsubjectAltName=critical,dirName:tpm_dn\n[tpm_dn]\nm.2.23.133.2.1=id:414D4400\nm.2.23.133.2.2=AegisTPM\nm.2.23.133.2.3=id:00020008"
ec prime256v1 ec-inter2
issue ec-inter2 ec-inter 4 36500 '/CN=Aegis Test EC Intermediate 2' sha256 "$CA"
ec prime256v1 ec-leaf2
issue ec-leaf2 ec-inter2 5 36500 '/CN=Aegis Test Leaf below pathlen' sha256 "$LEAF"
ec prime256v1 ec-critical
issue ec-critical ec-inter 6 36500 '/CN=Aegis Test Leaf with unknown critical extension' sha256 "$LEAF\n1.3.6.1.4.1.55555.1=critical,DER:0500"
# swtpm writes its names as PrintableString; names are matched byte for byte, so do the same.
printf '[req]\ndistinguished_name=dn\nstring_mask=default\n[dn]\n' > "$t/printable.cnf"
ec prime256v1 impostor
REQ_CONFIG="$t/printable.cnf" issue impostor ec-root 7 36500 '/CN=swtpm-localca' sha384 "$CA\nsubjectKeyIdentifier=none"

rsa 2048 rsa-root; selfsign rsa-root '/O=Aegis Test/CN=Aegis Test RSA Root' sha256
rsa 2048 pss-leaf
issue pss-leaf rsa-root 10 36500 '/CN=Aegis Test PSS Leaf' sha256 "$LEAF" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
rsa 3072 pss384-leaf
issue pss384-leaf rsa-root 11 36500 '/CN=Aegis Test PSS-384 Leaf' sha384 "$LEAF" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48
rsa 2048 sha1-leaf
issue sha1-leaf rsa-root 12 36500 '/CN=Aegis Test SHA-1 Leaf' sha1 "$LEAF"
rsa 2048 notca-inter
issue notca-inter rsa-root 13 36500 '/CN=Aegis Test Not-A-CA' sha256 'basicConstraints=critical,CA:FALSE'
rsa 2048 notca-leaf
issue notca-leaf notca-inter 14 36500 '/CN=Aegis Test Leaf of Not-A-CA' sha256 "$LEAF"
rsa 2048 nokcs-inter
issue nokcs-inter rsa-root 15 36500 '/CN=Aegis Test CA without keyCertSign' sha256 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature'
rsa 2048 nokcs-leaf
issue nokcs-leaf nokcs-inter 16 36500 '/CN=Aegis Test Leaf of CA without keyCertSign' sha256 "$LEAF"
rm -f ec-*.pem impostor.pem rsa-*.pem pss*.pem sha1-*.pem notca-*.pem nokcs-*.pem
ls ./*.der
