#!/usr/bin/env python3
"""
Rebuilds trust/tpm-vendors/ (one PEM per CA certificate, manifest.json) from local snapshots of
public repositories, fetched read-only with git. Run from the repository root:
  python3 trust/tpm-vendors/curate.py MIRRORS_DIR
where MIRRORS_DIR holds bare clones named owner+name/repo (keylime+keylime,
loicsikidi+tpm-ca-certificates, google+go-tpm-tools, salrashid123+tls_ak). Certificates are taken
byte for byte; duplicates (same DER) keep every source. Vendor is decided from the subject and
issuer names (table VENDORS); 'role' is 'root' for a certificate whose issuer is not itself in the
set (the top of a vendor hierarchy, self-signed or cross-signed) and 'intermediate' otherwise.
Needs python3 and openssl.
"""
import base64, hashlib, json, os, re, subprocess, sys

SOURCES = [
    # (repo, path or directory, licence, commit or None for the snapshot's HEAD)
    ('keylime/keylime', 'tpm_cert_store/', 'Apache-2.0', None),
    ('loicsikidi/tpm-ca-certificates', 'MIRROR.tpm-ca-certificates.pem', 'BSD-3-Clause', None),
    ('loicsikidi/tpm-ca-certificates', 'MIRROR.tpm-intermediate-ca-certificates.pem',
     'BSD-3-Clause', None),
    ('google/go-tpm-tools', 'server/ca-certs/', 'Apache-2.0', None),
    # Google has several "EK/AK CA Intermediate" CAs; go-tpm-tools ships one, this is another.
    ('salrashid123/tls_ak', 'certs/ek_intermediate.pem', 'Apache-2.0',
     'c8bea4d11d4be46f4b72f47f40863e81ceed22a3'),
    ('salrashid123/tls_ak', 'certs/stsafetpmrsaint10.pem', 'Apache-2.0',
     '441564caf7049a2fa20d609571f1bebe03fd5858'),
]
# First match wins; patterns are searched in "subject | issuer".
VENDORS = [
    ('google', r'Google'),
    ('microsoft', r'Microsoft|Pluton Factory|Azure|Windows'),
    ('amd', r'AMD|Advanced Micro Devices'),
    ('intel', r'Intel|ODCA|OnDie|CSME'),
    ('infineon', r'Infineon|IFX|OPTIGA'),
    ('stmicro', r'STMicro|STM TPM|STSAFE|GlobalSign'),
    ('nuvoton', r'Nuvoton|NTC TPM|NPCT'),
    ('nationz', r'Nationz|NSING'),
    ('alibaba', r'Aliyun|Alibaba'),
]

def git(repo_dir, *args):
    return subprocess.run(['git', '-C', repo_dir, *args], capture_output=True, check=True).stdout

def ders_in(data):
    text = data.decode('latin-1')
    if 'BEGIN CERTIFICATE' in text:
        for b in re.findall(r'-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----', text, re.S):
            yield base64.b64decode(re.sub(r'\s', '', b))
    elif data[:1] == b'\x30':
        yield data

def x509(der, *fields):
    r = subprocess.run(['openssl', 'x509', '-inform', 'der', '-noout', *fields,
                        '-nameopt', 'RFC2253'], input=der, capture_output=True, check=True)
    return r.stdout.decode()

def info(der):
    out = x509(der, '-subject', '-issuer', '-startdate', '-enddate')
    d = dict(line.split('=', 1) for line in out.strip().split('\n'))
    return {'subject': d['subject'], 'issuer': d['issuer'],
            'notBefore': d['notBefore'], 'notAfter': d['notAfter']}

def vendor_of(i):
    hay = i['subject'] + ' | ' + i['issuer']
    for v, pat in VENDORS:
        if re.search(pat, hay):
            return v
    return None

def slug(s):
    cn = re.search(r'(?:^|,)CN=([^,]+)', s)
    base = cn.group(1) if cn else s
    return re.sub(r'[^a-z0-9]+', '-', base.lower()).strip('-')[:60] or 'unnamed'

def main(mirrors, out):
    certs = {}
    for repo, path, licence, at in SOURCES:
        d = os.path.join(mirrors, repo.replace('/', '+'), 'repo')
        commit = git(d, 'rev-parse', at or 'HEAD').decode().strip()
        files = git(d, 'ls-tree', '-r', '--name-only', commit, path).decode().split('\n')
        for f in filter(None, files):
            for der in ders_in(git(d, 'show', f'{commit}:{f}')):
                h = hashlib.sha256(der).hexdigest()
                c = certs.setdefault(h, {'der': der, 'sources': []})
                c['sources'].append({'repo': repo, 'path': f, 'commit': commit, 'licence': licence})
    entries = []
    subjects = set()
    for h, c in certs.items():
        c.update(info(c['der']))
        subjects.add(c['subject'])
    for h, c in sorted(certs.items(), key=lambda kv: (kv[1]['subject'], kv[0])):
        v = vendor_of(c)
        if v is None:
            print('skipped (no vendor):', c['subject'], file=sys.stderr)
            continue
        ca = 'CA:TRUE' in x509(c['der'], '-text')
        if not ca:
            print('skipped (not a CA):', c['subject'], file=sys.stderr)
            continue
        self_signed = c['subject'] == c['issuer']
        text = x509(c['der'], '-text')
        sha1 = re.search(r'Signature Algorithm: (sha1With|ecdsa-with-SHA1)', text) is not None
        role = 'root' if self_signed or c['issuer'] not in subjects or sha1 else 'intermediate'
        why = ('self-signed' if self_signed else 'issuer not in this set' if c['issuer'] not in
               subjects else 'signed with SHA-1: trusted as configured, its signature never relied on'
               if sha1 else None)
        name = f"{v}/{slug(c['subject'])}-{h[:8]}.pem"
        os.makedirs(os.path.join(out, v), exist_ok=True)
        pem = subprocess.run(['openssl', 'x509', '-inform', 'der'], input=c['der'],
                             capture_output=True, check=True).stdout
        open(os.path.join(out, name), 'wb').write(pem)
        entries.append({'file': name, 'vendor': v, 'role': role,
                        **({'anchorReason': why} if why else {}), 'selfSigned': self_signed,
                        'subject': c['subject'], 'issuer': c['issuer'],
                        'notBefore': c['notBefore'], 'notAfter': c['notAfter'],
                        'sha256': h, 'sources': c['sources']})
    manifest = {'description': 'Curated TPM vendor CA certificates (see README.md)',
                'certificates': entries}
    open(os.path.join(out, 'manifest.json'), 'w').write(json.dumps(manifest, indent=2) + '\n')
    print(len(entries), 'certificates')

if __name__ == '__main__':
    main(sys.argv[1], os.path.dirname(os.path.abspath(__file__)))
