import { FormatError } from './format';

/** How a file's bytes became text, so that writing it back reproduces every untouched byte. */
export interface TextEncoding {
  readonly bom: boolean;
  readonly charset: 'utf8' | 'latin1';
}

export interface DecodedText extends TextEncoding {
  /** The content without its byte order mark. */
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 when the bytes are valid UTF-8; otherwise, where the format allows it (Java reads
 * .properties as ISO-8859-1), Latin-1, which maps every byte to one character and back.
 */
export function decodeText(bytes: Uint8Array, latin1Fallback: boolean): DecodedText {
  let text: string;
  let charset: TextEncoding['charset'] = 'utf8';
  try {
    text = utf8.decode(bytes);
  } catch {
    if (!latin1Fallback) throw new FormatError('the file is not valid UTF-8');
    text = Buffer.from(bytes).toString('latin1');
    charset = 'latin1';
  }
  const bom = text.startsWith('\uFEFF');
  return { text: bom ? text.slice(1) : text, bom, charset };
}

export function encodeText(text: string, like: TextEncoding): Buffer {
  if (like.charset === 'latin1' && /[^\0-\xff]/.test(text)) {
    throw new FormatError('the new content does not fit the file’s Latin-1 encoding');
  }
  return Buffer.from((like.bom ? '\uFEFF' : '') + text, like.charset);
}
