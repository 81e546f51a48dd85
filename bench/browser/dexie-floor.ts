/**
 * In-page, baseline A: the raw IndexedDB floor. The chain's member
 * documents (generated here with the same generator the server was seeded
 * with, phone hashes made with WebCrypto under the chain's key) written with
 * Dexie `bulkAdd`, one record per member, 10,000 per call, indexed on
 * cardNumber and phoneHash. Only the bulkAdd calls are timed (generation is
 * reported apart): this is the fastest a till could store the members.
 */
import Dexie from 'dexie';
import type { Member } from '../../shared/documents';
import { chainMember, chainMemberDoc } from '../../shared/demo-chain';
import type { DexieFloorResult } from '../support/page-types';
import { lookupCards, timeLookups } from './lookups';

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function dexieFloor(options: { members: number; secret: string; chunk: number }): Promise<DexieFloorResult> {
  const started = performance.now();
  const db = new Dexie('bench-dexie-floor');
  db.version(1).stores({ members: 'id, cardNumber, phoneHash' });
  await db.open();
  const table = db.table<Member, string>('members');
  const key = await crypto.subtle.importKey(
    'raw',
    hexToBytes(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const encoder = new TextEncoder();
  let writeMs = 0;
  let generateMs = 0;
  for (let from = 0; from < options.members; from += options.chunk) {
    const g0 = performance.now();
    const count = Math.min(options.chunk, options.members - from);
    const members = Array.from({ length: count }, (_, k) => chainMember(from + k));
    const hashes = await Promise.all(
      members.map(async (m) => {
        const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(m.phone)));
        return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
      }),
    );
    const docs = members.map((m, k) => chainMemberDoc(m, hashes[k]!, from + k + 1));
    const w0 = performance.now();
    generateMs += w0 - g0;
    await table.bulkAdd(docs);
    writeMs += performance.now() - w0;
  }
  const wallMs = performance.now() - started;
  const lookups = await timeLookups(lookupCards(options.members, 1000), (card) => table.get({ cardNumber: card }));
  db.close();
  return { members: options.members, writeMs, generateMs, wallMs, lookups };
}

Object.assign(window, { benchDexieFloor: dexieFloor });
