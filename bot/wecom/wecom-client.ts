/**
 * The WeCom server API, as much as Hotline needs: app messages to members, group-robot messages
 * into department groups, app group chats for complaint teams, the media users send, and the files
 * Hotline sends (uploaded as temporary media, then sent by media id). WeCom
 * answers HTTP 200 with an `errcode`; anything but 0 is a failure.
 */

export interface WecomClientOptions {
  /** e.g. https://qyapi.weixin.qq.com */
  baseUrl: string;
  corpId: string;
  secret: string;
  agentId: number;
  /** Refresh the token this long before WeCom says it expires. @defaultValue 300 000 (5 minutes) */
  refreshMarginMs?: number;
  fetch?: typeof fetch;
}

/** WeCom refused a call: its errcode and message, and the call. */
export class WecomApiError extends Error {
  override readonly name = "WecomApiError";
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly call: string,
  ) {
    super(`${call}: WeCom errcode ${errcode} (${errmsg})`);
  }
}

/** 42001 expired, 40014 invalid, 40001 bad credential: get a new token and try once more. */
const TOKEN_ERRORS = new Set([42001, 40014, 40001]);
/** Rate limited (45009, 45033): worth trying again later. */
export const RATE_LIMITED = new Set([45009, 45033]);

export type AppMessage =
  | { msgtype: "text"; text: { content: string } }
  | { msgtype: "markdown"; markdown: { content: string } }
  | { msgtype: "template_card"; template_card: ButtonCard }
  | FileMessage;

/** A file uploaded as temporary media, sent by its media id. */
export interface FileMessage {
  msgtype: "file";
  file: { media_id: string };
}

/** A file to upload: its bytes, its name as the recipient sees it, its content type. */
export interface MediaFile {
  bytes: Uint8Array;
  name: string;
  contentType: string;
}

/** A template card of buttons; pressing one calls back with a template_card_event whose EventKey is the button's key. */
export interface ButtonCard {
  card_type: "button_interaction";
  main_title: { title: string; desc?: string };
  /** Unique per app: letters, digits, `_-@`, at most 128 bytes. */
  task_id: string;
  button_list: { text: string; style: 1 | 2 | 3 | 4; key: string }[];
}

export type RobotMessage =
  | { msgtype: "text"; text: { content: string; mentioned_list?: string[] } }
  | { msgtype: "markdown"; markdown: { content: string } }
  | FileMessage;

interface WecomAnswer {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export class WecomClient {
  private token: { value: string; expiresAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WecomClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  /** `cgi-bin/message/send` to members by userid. */
  async sendToMembers(userids: string[], message: AppMessage): Promise<void> {
    await this.withToken("message/send", (token) => this.post(`/cgi-bin/message/send?access_token=${token}`, { touser: userids.join("|"), agentid: this.options.agentId, ...message }));
  }

  /** A group robot's `cgi-bin/webhook/send`: no access token, the key is the credential. */
  async sendByRobot(key: string, message: RobotMessage): Promise<void> {
    const answer = await this.post(`/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, message);
    if (answer.errcode !== 0) throw new WecomApiError(answer.errcode, answer.errmsg, "webhook/send");
  }

  /** `cgi-bin/appchat/create`: a group chat owned by the app, with at least two members. */
  async createChat(chat: { chatid: string; name: string; owner: string; userlist: string[] }): Promise<string> {
    const answer = await this.withToken("appchat/create", (token) => this.post(`/cgi-bin/appchat/create?access_token=${token}`, chat));
    return String(answer.chatid ?? chat.chatid);
  }

  async addToChat(chatid: string, userids: string[]): Promise<void> {
    await this.withToken("appchat/update", (token) => this.post(`/cgi-bin/appchat/update?access_token=${token}`, { chatid, add_user_list: userids }));
  }

  async sendToChat(chatid: string, message: AppMessage): Promise<void> {
    await this.withToken("appchat/send", (token) => this.post(`/cgi-bin/appchat/send?access_token=${token}`, { chatid, ...message }));
  }

  /**
   * `cgi-bin/media/get`: the bytes of an image or file a member sent, by its media id (valid three
   * days). WeCom answers the file, or an errcode in JSON. `signal` gives up the download.
   */
  async getMedia(mediaId: string, signal?: AbortSignal): Promise<Buffer> {
    const { media } = await this.withToken("media/get", (token) => this.download(`/cgi-bin/media/get?access_token=${token}&media_id=${encodeURIComponent(mediaId)}`, signal));
    return media!; // an answer with errcode 0 is a file
  }

  /**
   * `cgi-bin/media/upload` with type file: temporary media, which messages send by its media id for
   * three days. The file goes as the multipart field `media` with its name and type; WeCom takes
   * files of 5 bytes to 20 MB (40006 otherwise).
   */
  async uploadFile(file: MediaFile): Promise<string> {
    const answer = await this.withToken("media/upload", (token) => this.postFile(`/cgi-bin/media/upload?access_token=${token}&type=file`, file));
    return mediaIdOf(answer, "media/upload");
  }

  /** A group robot's `cgi-bin/webhook/upload_media` (type file): as media/upload, for that robot's messages; the key is the credential. */
  async uploadRobotFile(key: string, file: MediaFile): Promise<string> {
    const answer = await this.postFile(`/cgi-bin/webhook/upload_media?key=${encodeURIComponent(key)}&type=file`, file);
    if (answer.errcode !== 0) throw new WecomApiError(answer.errcode, answer.errmsg, "webhook/upload_media");
    return mediaIdOf(answer, "webhook/upload_media");
  }

  /** Runs a call with the cached token; on a token error, fetches a new one and tries once more. */
  private async withToken<A extends WecomAnswer>(call: string, send: (token: string) => Promise<A>): Promise<A> {
    let answer = await send(await this.accessToken());
    if (TOKEN_ERRORS.has(answer.errcode)) {
      this.token = undefined;
      answer = await send(await this.accessToken());
    }
    if (answer.errcode !== 0) throw new WecomApiError(answer.errcode, answer.errmsg, call);
    return answer;
  }

  /** `cgi-bin/gettoken`, cached until shortly before `expires_in`; callers at once share one fetch. */
  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const { corpId, secret } = this.options;
    const response = await this.fetch(`${this.options.baseUrl}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`);
    const answer = await this.answerOf(response, "gettoken");
    if (answer.errcode !== 0 || typeof answer.access_token !== "string") throw new WecomApiError(answer.errcode, answer.errmsg, "gettoken");
    const expiresInMs = Number(answer.expires_in ?? 7200) * 1000;
    this.token = { value: answer.access_token, expiresAt: Date.now() + Math.max(0, expiresInMs - (this.options.refreshMarginMs ?? 300_000)) };
    return answer.access_token;
  }

  private async post(path: string, body: unknown): Promise<WecomAnswer> {
    const response = await this.fetch(`${this.options.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return this.answerOf(response, path.split("?")[0]!.replace("/cgi-bin/", ""));
  }

  /** A multipart upload of one file as the field `media`; the form is made anew for each attempt. */
  private async postFile(path: string, file: MediaFile): Promise<WecomAnswer> {
    const form = new FormData();
    form.append("media", new Blob([file.bytes], { type: file.contentType }), file.name);
    const response = await this.fetch(`${this.options.baseUrl}${path}`, { method: "POST", body: form });
    return this.answerOf(response, path.split("?")[0]!.replace("/cgi-bin/", ""));
  }

  /**
   * A download: the file as an answer with errcode 0, or WeCom's error answer. A file comes with a
   * Content-Disposition; an error has none and is JSON, sent as application/json or text/plain.
   */
  private async download(path: string, signal: AbortSignal | undefined): Promise<WecomAnswer & { media?: Buffer }> {
    const response = await this.fetch(`${this.options.baseUrl}${path}`, { signal: signal ?? null });
    const isAnswer = !response.headers.has("content-disposition") && /^(application\/json|text\/plain)/i.test(response.headers.get("content-type") ?? "");
    if (!response.ok || isAnswer) return this.answerOf(response, path.split("?")[0]!.replace("/cgi-bin/", ""));
    return { errcode: 0, errmsg: "ok", media: Buffer.from(await response.arrayBuffer()) };
  }

  private async answerOf(response: Response, call: string): Promise<WecomAnswer> {
    if (!response.ok) throw new Error(`${call}: HTTP ${response.status}`);
    return (await response.json()) as WecomAnswer;
  }
}

function mediaIdOf(answer: WecomAnswer, call: string): string {
  if (typeof answer.media_id !== "string" || answer.media_id === "") throw new Error(`${call}: WeCom answered no media_id`);
  return answer.media_id;
}
