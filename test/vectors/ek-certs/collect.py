#!/usr/bin/env python3
"""
Rebuilds this folder's real EK certificates from local snapshots of public repositories (bare
clones named owner+name/repo under MIRRORS_DIR, read with git):
  python3 test/vectors/ek-certs/collect.py MIRRORS_DIR
Each entry of LEAVES names the repository, commit, path and, for a certificate embedded in source
code, the variable holding its base64. The bytes are kept exactly as published: PEM is decoded to
DER, base64 to bytes, a binary file is copied; NV forms (padding after the DER, the TPM 1.2 TCG
header in front) stay as they are (.nv), since unwrapping them is part of what is tested.
Writes <name>.der|.nv and corpus.json (source, licence, SHA-256 of the file, vendor).
"""
import base64, hashlib, json, os, re, subprocess, sys

KEYLIME = ('keylime/keylime', '9b1f6e6a917f86c792bac680ea7d36312d5914a5', 'Apache-2.0')
HIRS = ('nsacyber/HIRS', '925cc507a13e20a41109029fc8802b4c57cf2511', 'Apache-2.0')
TLS_AK = 'salrashid123/tls_ak'
ATTR = 'salrashid123/attribute_certificate'
GTT = ('google/go-tpm-tools', '67670e5c021a24f2366eb1808db2659211af5eb2', 'Apache-2.0')
HIRS_RES = 'HIRS_AttestationCA/src/test/resources/certificates/'

# name, vendor, (repo, commit, licence), path, python variable or None
LEAVES = [
    ('stm-rsa-int05-padded', 'stmicro', KEYLIME, 'test/test_cert_utils.py', 'st_sha256_with_rsa_der'),
    ('stm-ecc-int01', 'stmicro', KEYLIME, 'test/test_cert_utils.py', 'st_ecdsa_sha256_der'),
    ('stm-rsa-int02-a', 'stmicro', HIRS, HIRS_RES + 'ab21ccf2-tpmcert.pem', None),
    ('stm-rsa-int02-b', 'stmicro', HIRS, HIRS_RES + 'nuc-1/tpmcert.pem', None),
    ('stm-rsa-int02-c-tcg-header', 'stmicro', HIRS, HIRS_RES + 'nuc-1/ek_cert_untouched.cer', None),
    ('stm-rsa-int06', 'stmicro', (TLS_AK, '28caa8469f2a196d902af390e748c66a2efc2090', 'Apache-2.0'),
     'certs/ECCert.pem', None),
    ('stsafe-rsa-int10', 'stmicro', (TLS_AK, '441564caf7049a2fa20d609571f1bebe03fd5858', 'Apache-2.0'),
     'certs/ECCert.pem', None),
    ('ifx-rsa-int08-tcg-header', 'infineon', HIRS, HIRS_RES + 'ek_cert_with_security_assertions.cer', None),
    ('nuvoton-root2111', 'nuvoton', KEYLIME, 'test/test_certificate_modeltype.py',
     'self.malformed_cert_b64'),
    ('gce-ekak-a', 'google', (TLS_AK, 'c8bea4d11d4be46f4b72f47f40863e81ceed22a3', 'Apache-2.0'),
     'certs/ekcert.pem', None),
    ('gce-ekak-b', 'google', (TLS_AK, '238847239a40c6f2a439590d616b1b38bfb0769a', 'Apache-2.0'),
     'certs/ekcert.pem', None),
    ('gce-ekak-c', 'google', (TLS_AK, '345e876360c88a90ddda16362b379ad6e37f9593', 'Apache-2.0'),
     'certs/ekcert.pem', None),
    ('gce-ekak-rsa', 'google', GTT, 'internal/test/certificates/pca_tpm_rsa_enc_cert.pem', None),
    ('gce-ekak-ecc', 'google', GTT, 'internal/test/certificates/pca_tpm_ecc_enc_cert.pem', None),
    ('gce-cloudhost-rsa', 'google', GTT, 'internal/test/certificates/uca_tpm_rsa_enc_cert.pem', None),
    ('gce-cloudhost-ecc', 'google', GTT, 'internal/test/certificates/uca_tpm_ecc_enc_cert.pem', None),
    ('gce-cloudhost-attr-a', 'google', (ATTR, 'b3de62696dfcd26827d54b1d949640b45ffbfa99', 'Apache-2.0'),
     'ekcert.der', None),
    ('gce-cloudhost-attr-b', 'google', (ATTR, 'd6084d9661608a2e69e75bb2ae9a3f53bccd6ac7', 'Apache-2.0'),
     'ekcert.der', None),
    # Not on the default `push` branch (the repository also has `pull`): clone every branch.
    ('gce-ekak-d', 'google', ('salrashid123/go_tpm_remote_attestation',
     '3e19fa1e727a32b48a523dec9f103b067f8727da', 'Apache-2.0'), 'certs/ekcert.pem', None),
    ('ifx-rsa-mfr007', 'infineon', ('intel-secl/intel-secl',
     '470edec09cc2aac0e2b698e93a2ab9a41c26bc05', 'BSD-3-Clause'),
     'pkg/hvs/controllers/certify_hosts_aiks_controller_test.go', 'ekCertBytes'),
    ('nuvoton-root2110', 'nuvoton', ('google/go-attestation',
     'f28ecb795216376d353e8519d16e68ea37190c77', 'Apache-2.0'), 'attest/challenge_test.go',
     'TestGenerateChallengeSymHeader'),
    ('intel-ptt-spth', 'intel', ('smallstep/crypto', '4f954b32a130715128f334132757c9fa73030263',
     'Apache-2.0'), 'tpm/ek_test.go', 'intelEKMockResponse'),
]

# TPM 1.2-era certificates signed with SHA-1: Aegis Edge refuses SHA-1 signatures
# (ERR_SIG_HASH_NOT_ALLOWED), so these are kept as real negative cases, not counted as verifying.
REFUSED = {
    'stm-rsa-int02-a': 'ERR_SIG_HASH_NOT_ALLOWED',
    'stm-rsa-int02-b': 'ERR_SIG_HASH_NOT_ALLOWED',
    'stm-rsa-int02-c-tcg-header': 'ERR_SIG_HASH_NOT_ALLOWED',
    'ifx-rsa-int08-tcg-header': 'ERR_SIG_HASH_NOT_ALLOWED',
}

def show(mirrors, repo, commit, path):
    d = os.path.join(mirrors, repo.replace('/', '+'), 'repo')
    return subprocess.run(['git', '-C', d, 'show', f'{commit}:{path}'], capture_output=True,
                          check=True).stdout

def leaf_bytes(data, var):
    text = data.decode('latin-1')
    if var:
        # Either var = """\\ base64 lines """ or var = ( "..." "..." ).
        m = re.search(re.escape(var) + r' = (?:"""\\\n(.*?)"""|\((.*?)\))', text, re.S)
        if m:
            body = m.group(1) or ''.join(re.findall(r'"([^"]*)"', m.group(2)))
            return base64.b64decode(re.sub(r'\s', '', body))
        # Go sources: the first base64 certificate after the name, standard or URL-safe
        # alphabet (Intel's EK service answers base64url, '=' sent as %3D).
        m = re.search(re.escape(var) + r'.*?(MII[A-Za-z0-9+/_-]+)', text, re.S)
        b64 = m.group(1).replace('-', '+').replace('_', '/')
        return base64.b64decode(b64 + '=' * (-len(b64) % 4))
    pems = re.findall(r'-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----', text, re.S)
    if pems:
        if len(pems) != 1:
            raise SystemExit('expected one PEM certificate')
        return base64.b64decode(re.sub(r'\s', '', pems[0]))
    return data

def main(mirrors, out):
    entries = []
    for name, vendor, (repo, commit, licence), path, var in LEAVES:
        raw = leaf_bytes(show(mirrors, repo, commit, path), var)
        ext = 'der' if raw[:1] == b'\x30' and 4 + int.from_bytes(raw[2:4], 'big') == len(raw) else 'nv'
        file = f'{name}.{ext}'
        open(os.path.join(out, file), 'wb').write(raw)
        entries.append({'file': file, 'vendor': vendor, 'sha256': hashlib.sha256(raw).hexdigest(),
                        'source': {'repo': repo, 'commit': commit, 'path': path,
                                   **({'variable': var} if var else {})},
                        'licence': licence,
                        **({'expect': REFUSED[name]} if name in REFUSED else {})})
    open(os.path.join(out, 'corpus.json'), 'w').write(json.dumps({'leaves': entries}, indent=2) + '\n')
    print(len(entries), 'leaves')

if __name__ == '__main__':
    main(sys.argv[1], os.path.dirname(os.path.abspath(__file__)))
