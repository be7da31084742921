/** Reads back what a certificate says, for assertions (independently of the code that wrote it). */
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
} from '@peculiar/asn1-x509';

export interface InspectedCert {
  readonly x509: X509Certificate;
  readonly subjectIsEmpty: boolean;
  readonly sanUris: string[];
  readonly sanDnsNames: string[];
  readonly sanCount: number;
  readonly sanCritical: boolean | undefined;
  readonly isCa: boolean | undefined;
  readonly keyUsage: string[];
  readonly keyUsageCritical: boolean | undefined;
  readonly extKeyUsage: string[];
  readonly extensionIds: string[];
}

export function inspectCert(pem: string): InspectedCert {
  const x509 = new X509Certificate(pem);
  const cert = AsnConvert.parse(x509.raw, Certificate);
  const exts = cert.tbsCertificate.extensions ?? [];
  const find = (id: string) => exts.find((e) => e.extnID === id);
  const san = find(id_ce_subjectAltName);
  const names = san ? [...AsnConvert.parse(san.extnValue.buffer, SubjectAlternativeName)] : [];
  const bc = find(id_ce_basicConstraints);
  const ku = find(id_ce_keyUsage);
  const eku = find(id_ce_extKeyUsage);
  return {
    x509,
    subjectIsEmpty: cert.tbsCertificate.subject.length === 0,
    sanUris: names.filter((n) => n.uniformResourceIdentifier).map((n) => n.uniformResourceIdentifier!),
    sanDnsNames: names.filter((n) => n.dNSName).map((n) => n.dNSName!),
    sanCount: names.length,
    sanCritical: san?.critical,
    isCa: bc ? AsnConvert.parse(bc.extnValue.buffer, BasicConstraints).cA : undefined,
    keyUsage: ku ? AsnConvert.parse(ku.extnValue.buffer, KeyUsage).toJSON() : [],
    keyUsageCritical: ku?.critical,
    extKeyUsage: eku ? [...AsnConvert.parse(eku.extnValue.buffer, ExtendedKeyUsage)] : [],
    extensionIds: exts.map((e) => e.extnID),
  };
}
