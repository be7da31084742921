/**
 * Golden tests for the proxyless gRPC generator: testdata/<case>/in.yaml → out.yaml.
 * UPDATE_GOLDEN=1 rewrites outputs and deletes outputs whose input is gone.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goldenCases } from '../../helpers/golden.js';
import { renderCase } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

goldenCases('translate-grpc', join(root, 'test/golden/translate-grpc/testdata'), 10, (dir) => renderCase(readFileSync(join(dir, 'in.yaml'), 'utf8')));
