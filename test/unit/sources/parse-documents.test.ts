import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DOCUMENT_BYTES, parseDocuments } from '../../../src/sources/file/parse-documents.js';

test('multi-document YAML yields each document with its index, skipping empty ones', () => {
  const parsed = parseDocuments('a: 1\n---\n---\nb: 2\n');
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.documents, [
    { index: '0', value: { a: 1 } },
    { index: '2', value: { b: 2 } },
  ]);
});

test('kind: List is expanded into its items, as kubectl does', () => {
  const parsed = parseDocuments(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ x: 1 }, { y: 2 }] }));
  assert.deepEqual(parsed.documents.map((d) => d.index), ['0.0', '0.1']);
});

test('a broken document is reported by index; the others still load', () => {
  const parsed = parseDocuments('a: 1\n---\nb: [1, 2\n---\nc: 3\n');
  assert.deepEqual(parsed.documents.map((d) => d.index), ['0', '2']);
  assert.equal(parsed.problems.length, 1);
  assert.equal(parsed.problems[0]!.index, '1');
  assert.match(parsed.problems[0]!.message, /not valid YAML/);
});

test('duplicate keys are an error, not a silent overwrite', () => {
  const parsed = parseDocuments('a: 1\na: 2\n');
  assert.equal(parsed.documents.length, 0);
  assert.match(parsed.problems[0]!.message, /[Uu]nique|duplicate/);
});

test('a YAML alias bomb is refused instead of expanded', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
  const parsed = parseDocuments(bomb.join('\n') + '\n---\nok: true\n');
  assert.equal(parsed.problems.length, 1);
  assert.equal(parsed.problems[0]!.index, '0');
  assert.match(parsed.problems[0]!.message, /alias/i);
  assert.deepEqual(parsed.documents, [{ index: '1', value: { ok: true } }]);
});

test('a document over the size limit is refused with its size', () => {
  const big = `data: "${'x'.repeat(MAX_DOCUMENT_BYTES + 10)}"\n`;
  const parsed = parseDocuments(`small: 1\n---\n${big}`);
  assert.deepEqual(parsed.documents.map((d) => d.index), ['0']);
  assert.match(parsed.problems[0]!.message, /over the \d+-byte limit/);
  assert.equal(parsed.problems[0]!.index, '1');
});

test('text that is not YAML at all gives a problem, never a throw', () => {
  for (const text of ['\u0000\u0001\u0002', '{{{', ': : :', '\t- a\n  b: [', '%YAML 9.9\n---\na']) {
    const parsed = parseDocuments(text);
    assert.ok(Array.isArray(parsed.documents));
    assert.ok(parsed.problems.length + parsed.documents.length >= 0);
  }
  assert.ok(parseDocuments('{{{').problems.length > 0);
});

test('IPv6 literals in flow sequences are strings, as Kubernetes (Go YAML) reads them', () => {
  const parsed = parseDocuments('addresses: [1.2.3.4, 001:db8::, "2001:db8::1", a: b]\n');
  assert.deepEqual(parsed.documents[0]!.value, { addresses: ['1.2.3.4', '001:db8::', '2001:db8::1', { a: 'b' }] });
});
