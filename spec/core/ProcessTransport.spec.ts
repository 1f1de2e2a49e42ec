/**
 * The platform-free subprocess transport over a scripted ProcessHandle: asyncio's callback
 * order [X4, X5], getPid and getExtraInfo, and setProtocol.
 */
import { ProcessTransport } from '../../src/core/ProcessTransport';
import { osError } from '../../src/core/osErrors';
import { FakeProcessHandle, finish, open } from '../helpers/FakeProcessHandle';
import { bytes, turn } from '../helpers/FakeStreamHandle';
import { recordingSubprocessProtocol } from '../helpers/process';
import { useExceptionReports } from '../helpers/exceptions';

describe('ProcessTransport', () => {
  const reported = useExceptionReports();

  describe('SubprocessProtocol callbacks', () => {
    it('delivers connectionMade on a later turn, before anything else', async () => {
      const handle = new FakeProcessHandle();
      const rec = recordingSubprocessProtocol();
      const transport = new ProcessTransport(handle, { protocol: rec.protocol });
      expect(rec.events).toEqual([]);
      await transport.ready;
      expect(rec.events).toEqual(['made']);
      await turn();
      expect(handle.stdout.reading).toBe(true);
      expect(handle.stderr.reading).toBe(true);
    });

    it('delivers pipeDataReceived with the fd of each pipe, in arrival order', async () => {
      const { handle, rec } = await open();
      handle.stdout.receive('out1 ');
      handle.stderr.receive('err');
      handle.stdout.receive('out2');
      expect(rec.events).toEqual(['made', 'data1', 'data2', 'data1']);
      expect(rec.text(1)).toBe('out1 out2');
      expect(rec.text(2)).toBe('err');
    });

    it('delivers connectionLost once, after the exit and the last pipe (exit first)', async () => {
      const { handle, transport, rec } = await open();
      handle.stdout.receive('x');
      handle.exit(0);
      expect(transport.getReturncode()).toBe(0);
      await turn(4);
      // The exit closes stdin (its reader is gone) but stdout and stderr stay open.
      expect(rec.events).toEqual(['made', 'data1', 'pipeLost0', 'exited']);
      handle.stdout.receiveEof();
      await turn(4);
      expect(rec.events).not.toContain('lost');
      handle.stderr.receiveEof();
      await turn(4);
      expect(rec.events).toEqual([
        'made',
        'data1',
        'pipeLost0',
        'exited',
        'pipeLost1',
        'pipeLost2',
        'lost',
      ]);
      expect(rec.lost).toEqual([null]);
      await turn(4);
      expect(rec.lost).toHaveLength(1);
    });

    it('delivers connectionLost once, after the exit, when every pipe closed first', async () => {
      const { handle, transport, rec } = await open();
      handle.eofAll();
      transport.stdin!.close();
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2', 'pipeLost0']);
      handle.exit(3);
      await turn(4);
      expect(rec.events).toEqual(['made', 'pipeLost1', 'pipeLost2', 'pipeLost0', 'exited', 'lost']);
      expect(rec.returncodeAtExit).toBe(3);
      expect(rec.lost).toEqual([null]);
    });

    it('delivers processExited after connectionMade for a child that exited before', async () => {
      const { handle, rec } = await open([true, true, true], { exitFirst: 0 });
      expect(rec.events[0]).toBe('made');
      expect(rec.events).toContain('exited');
      handle.eofAll();
      await turn(4);
      expect(rec.events.at(-1)).toBe('lost');
      expect(rec.events.filter((e) => e === 'lost')).toHaveLength(1);
    });

    it('hands a pipe error to pipeConnectionLost, and connectionLost still gets null', async () => {
      const { handle, rec } = await open();
      const error = osError('EIO', 'read EIO', { syscall: 'read' });
      handle.stdout.fail(error);
      await finish(handle);
      expect(rec.pipeErrors.get(1)).toBe(error);
      expect(rec.pipeErrors.get(2)).toBeNull();
      expect(rec.lost).toEqual([null]);
      expect(reported.take()).toEqual([]);
    });

    it('waits for connectionLost while a pipe stays open after the exit (a grandchild holds it)', async () => {
      const { handle, rec } = await open();
      handle.exit(0);
      handle.stderr.receiveEof();
      await turn(6);
      // In the order they happened, as asyncio's call_soon gives them.
      expect(rec.events).toEqual(['made', 'pipeLost0', 'exited', 'pipeLost2']);
      handle.stdout.receive('late');
      expect(rec.events.at(-1)).toBe('data1');
      handle.stdout.receiveEof();
      await turn(4);
      expect(rec.events.slice(-2)).toEqual(['pipeLost1', 'lost']);
    });

    it('reports what the callbacks throw and goes on in order', async () => {
      const rec = recordingSubprocessProtocol();
      const boom = (name: string) => () => {
        throw new Error(name);
      };
      const handle = new FakeProcessHandle();
      const transport = new ProcessTransport(handle, {
        protocol: {
          ...rec.protocol,
          pipeDataReceived: boom('data'),
          processExited: boom('exited'),
          pipeConnectionLost: boom('pipeLost'),
        },
      });
      await transport.ready;
      await turn();
      handle.stdout.receive('x');
      expect(handle.stdout.closes).toBe(0);
      await finish(handle);
      expect(rec.lost).toEqual([null]);
      expect(reported.take().map((r) => r.message)).toEqual([
        'Exception in protocol.pipeDataReceived()',
        'Exception in protocol.pipeConnectionLost()',
        'Exception in protocol.pipeConnectionLost()',
        'Exception in protocol.pipeConnectionLost()',
        'Exception in protocol.processExited()',
      ]);
    });

    it('forwards pauseWriting and resumeWriting of stdin', async () => {
      const { handle, transport, rec } = await open();
      transport.stdin!.setWriteBufferLimits(4);
      transport.stdin!.write(bytes('0123456789'));
      expect(rec.events).toEqual(['made', 'pause']);
      handle.stdin.completeWrite();
      expect(rec.events).toEqual(['made', 'pause', 'resume']);
    });
  });

  describe('getPid / getExtraInfo', () => {
    it('gives the pid and the handle extra info, or the default', async () => {
      const { transport } = await open();
      expect(transport.getPid()).toBe(4242);
      expect(transport.getExtraInfo('subprocess')).toEqual({ fake: 'popen' });
      expect(transport.getExtraInfo('peername', 'none')).toBe('none');
    });
  });

  describe('setProtocol', () => {
    it('sends later events to the new protocol', async () => {
      const { handle, transport, rec } = await open();
      const next = recordingSubprocessProtocol();
      transport.setProtocol(next.protocol);
      expect(transport.getProtocol()).toBe(next.protocol);
      handle.stdout.receive('to next');
      await finish(handle);
      expect(rec.events).toEqual(['made']);
      expect(next.text(1)).toBe('to next');
      expect(next.events).toContain('exited');
      expect(next.events.at(-1)).toBe('lost');
    });

    it('sends pipe data to a protocol set on a transport created without one', async () => {
      const { handle, transport } = await open([true, true, true], { withProtocol: false });
      const next = recordingSubprocessProtocol();
      transport.setProtocol(next.protocol);
      handle.stdout.receive('hello');
      handle.stderr.receive('oops');
      await finish(handle);
      // asyncio's pipe protocols always forward to the transport's current protocol.
      expect(next.text(1)).toBe('hello');
      expect(next.text(2)).toBe('oops');
      expect(next.events.at(-1)).toBe('lost');
    });

    it('refuses a non-object with TypeError ERR_INVALID_ARG_TYPE', async () => {
      const { transport } = await open();
      expect(() => {
        transport.setProtocol(null as never);
      }).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    });
  });
});
