import type { IncomingMessage } from 'node:http';

import { UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';

import {
  ClientEvent,
  ServerEvent,
  WS_PATH,
  type PongData,
} from '../protocol/index.js';
import { ChatExceptionFilter } from './chat-exception.filter.js';
import { ChatService } from './chat.service.js';
import {
  clientFrameSchemas,
  type DmRequest,
  type DmResumeRequest,
  type JoinRequest,
  type LeaveRequest,
  type ResumeRequest,
  type SendRequest,
  type TypingRequest,
} from './client-frame.schemas.js';
import { FrameValidationPipe } from './frame-validation.pipe.js';

const body = <E extends keyof typeof clientFrameSchemas>(event: E) =>
  MessageBody(new FrameValidationPipe(event, clientFrameSchemas[event]));

/**
 * The chat's WebSocket endpoint. Each handler checks its frame against the
 * event's schema and hands it to the ChatService, which answers the client
 * itself: replies and broadcasts must leave in the order they happen.
 */
@WebSocketGateway({ path: WS_PATH })
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  constructor(private readonly chat: ChatService) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    this.chat.connect(socket, request);
  }

  handleDisconnect(socket: WebSocket): void {
    this.chat.disconnect(socket);
  }

  @SubscribeMessage(ClientEvent.Join)
  join(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.Join) request: JoinRequest,
  ): Promise<void> {
    return this.chat.join(this.chat.sessionOf(socket), request);
  }

  @SubscribeMessage(ClientEvent.Leave)
  leave(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.Leave) request: LeaveRequest,
  ): void {
    this.chat.leave(this.chat.sessionOf(socket), request);
  }

  @SubscribeMessage(ClientEvent.Send)
  send(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.Send) request: SendRequest,
  ): Promise<void> {
    return this.chat.send(this.chat.sessionOf(socket), request);
  }

  /**
   * Browsers cannot see WebSocket pings, so the SPA proves its connection
   * alive with this instead.
   */
  @SubscribeMessage(ClientEvent.Ping)
  ping(): { event: 'pong'; data: PongData } {
    return { event: ServerEvent.Pong, data: { at: new Date().toISOString() } };
  }

  @SubscribeMessage(ClientEvent.Typing)
  typing(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.Typing) request: TypingRequest,
  ): void {
    this.chat.typing(this.chat.sessionOf(socket), request);
  }

  @SubscribeMessage(ClientEvent.Rooms)
  rooms(@ConnectedSocket() socket: WebSocket): Promise<void> {
    return this.chat.rooms(this.chat.sessionOf(socket));
  }

  @SubscribeMessage(ClientEvent.Dm)
  dm(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.Dm) request: DmRequest,
  ): Promise<void> {
    return this.chat.dm(this.chat.sessionOf(socket), request);
  }

  @SubscribeMessage(ClientEvent.DmResume)
  dmResume(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.DmResume) request: DmResumeRequest,
  ): Promise<void> {
    return this.chat.dmResume(this.chat.sessionOf(socket), request);
  }

  @SubscribeMessage(ClientEvent.Conversations)
  conversations(@ConnectedSocket() socket: WebSocket): Promise<void> {
    return this.chat.conversations(this.chat.sessionOf(socket));
  }

  @SubscribeMessage(ClientEvent.Resume)
  resume(
    @ConnectedSocket() socket: WebSocket,
    @body(ClientEvent.Resume) request: ResumeRequest,
  ): Promise<void> {
    return this.chat.resume(this.chat.sessionOf(socket), request);
  }
}
