/**
 * WeCom callback crypto ("WXBizMsgCrypt"), node:crypto only.
 *
 * WeCom signs every callback with SHA1(sort(token, timestamp, nonce, encrypted)) and encrypts the
 * payload with AES-256-CBC: key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes,
 * PKCS#7 padding to 32-byte blocks (not AES's 16), plaintext = 16 random bytes + 4-byte big-endian
 * message length + message + receiveId (the corp id for an internal app). The same scheme answers
 * the URL verification (GET with echostr), inbound messages (POST with <Encrypt>) and passive
 * replies (sealReply).
 */
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../config/env.js";

/** Which check a callback failed; the adapter logs it and answers 4xx without details. */
export type WecomCryptoCheck = "signature" | "base64" | "padding" | "length" | "utf8" | "receive_id";

export class WecomCryptoError extends Error {
  override readonly name = "WecomCryptoError";
  constructor(
    readonly check: WecomCryptoCheck,
    message: string,
  ) {
    super(message);
  }
}

export interface WecomCryptoOptions {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

/** The four values of a callback: the query's msg_signature, timestamp, nonce and the Encrypt (or echostr). */
export interface WecomEnvelope {
  msgSignature: string;
  timestamp: string;
  nonce: string;
  encrypted: string;
}

export interface DecryptedMessage {
  message: string;
  receiveId: string;
}

const BLOCK = 32;
const RANDOM_BYTES = 16;
const HEADER = RANDOM_BYTES + 4;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export class WecomCrypto {
  readonly corpId: string;
  private readonly token: string;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor({ token, encodingAesKey, corpId }: WecomCryptoOptions) {
    // Never echo the key itself: this message ends up in logs.
    if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) {
      throw new ConfigError(
        `WECOM_ENCODING_AES_KEY must be the 43-character EncodingAESKey from the WeCom admin console (got ${encodingAesKey.length} characters)`,
      );
    }
    const key = Buffer.from(`${encodingAesKey}=`, "base64");
    if (key.length !== 32) {
      throw new ConfigError(`WECOM_ENCODING_AES_KEY must decode to 32 bytes (got ${key.length})`);
    }
    if (token === "") throw new ConfigError("WECOM_TOKEN must not be empty");
    if (corpId === "") throw new ConfigError("WECOM_CORP_ID must not be empty");
    this.token = token;
    this.corpId = corpId;
    this.key = key;
    this.iv = key.subarray(0, 16);
  }

  /** msg_signature for these values: SHA1 hex of the four strings sorted and concatenated. */
  signature(timestamp: string, nonce: string, encrypted: string): string {
    // Default sort compares UTF-16 code units, which equals byte order for the ASCII WeCom sends.
    const joined = [this.token, timestamp, nonce, encrypted].sort().join("");
    return createHash("sha1").update(joined, "utf8").digest("hex");
  }

  verify(msgSignature: string, timestamp: string, nonce: string, encrypted: string): boolean {
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypted), "utf8");
    const given = Buffer.from(msgSignature, "utf8");
    // The length of a SHA1 hex digest is public; only the content must not leak through timing.
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Decrypts an Encrypt/echostr value. Does not check the receiveId: openEnvelope does. */
  decrypt(encrypted: string): DecryptedMessage {
    if (encrypted === "" || !BASE64.test(encrypted)) {
      throw new WecomCryptoError("base64", "encrypted payload is not base64");
    }
    const data = Buffer.from(encrypted, "base64");
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new WecomCryptoError("length", `encrypted payload is ${data.length} bytes, not whole AES blocks`);
    }
    const decipher = createDecipheriv("aes-256-cbc", this.key, this.iv);
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(data), decipher.final()]);

    // A wrong key almost always shows up here, so check the padding strictly instead of trusting it.
    const pad = padded[padded.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || pad > padded.length) {
      throw new WecomCryptoError("padding", `bad PKCS#7 padding value ${pad}`);
    }
    for (let index = padded.length - pad; index < padded.length; index++) {
      if (padded[index] !== pad) throw new WecomCryptoError("padding", "PKCS#7 padding bytes differ");
    }
    const plain = padded.subarray(0, padded.length - pad);

    if (plain.length < HEADER) {
      throw new WecomCryptoError("length", `plaintext is ${plain.length} bytes, shorter than its ${HEADER}-byte header`);
    }
    const length = plain.readUInt32BE(RANDOM_BYTES);
    if (length > plain.length - HEADER) {
      throw new WecomCryptoError("length", `message length ${length} exceeds the ${plain.length - HEADER} bytes present`);
    }
    try {
      return {
        message: utf8.decode(plain.subarray(HEADER, HEADER + length)),
        receiveId: utf8.decode(plain.subarray(HEADER + length)),
      };
    } catch {
      throw new WecomCryptoError("utf8", "decrypted message is not valid UTF-8");
    }
  }

  /** Encrypts for this corp id. `random` fixes the 16 leading bytes (tests only; WeCom ignores them). */
  encrypt(message: string, options: { random?: Buffer } = {}): string {
    const random = options.random ?? randomBytes(RANDOM_BYTES);
    if (random.length !== RANDOM_BYTES) throw new RangeError(`random must be ${RANDOM_BYTES} bytes, got ${random.length}`);
    const body = Buffer.from(message, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.corpId, "utf8")]);
    const pad = BLOCK - (plain.length % BLOCK); // 1..32: a full block of padding when already aligned
    const cipher = createCipheriv("aes-256-cbc", this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
  }

  /** Verifies, decrypts and checks the message was meant for this corp; returns the plaintext. */
  openEnvelope({ msgSignature, timestamp, nonce, encrypted }: WecomEnvelope): string {
    if (!this.verify(msgSignature, timestamp, nonce, encrypted)) {
      throw new WecomCryptoError("signature", "msg_signature does not match");
    }
    const { message, receiveId } = this.decrypt(encrypted);
    // Another corp's callback (same key reused, or a replay across tenants) must not be accepted.
    if (receiveId !== this.corpId) {
      throw new WecomCryptoError("receive_id", "message was encrypted for another corp id");
    }
    return message;
  }

  /** The encrypted passive reply body WeCom expects in the HTTP response to a callback. */
  sealReply(message: string, timestamp: string, nonce: string, options: { random?: Buffer } = {}): string {
    const encrypted = this.encrypt(message, options);
    const signature = this.signature(timestamp, nonce, encrypted);
    return (
      `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
      `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
    );
  }
}

/** Wraps text in CDATA, splitting any "]]>" so the section cannot be closed early. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
}
