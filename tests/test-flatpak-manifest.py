#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the Flatpak manifest (TAP): ids, runtime, pinned modules, least permissions,
# and that flatpak-builder reads it without warnings.
# usage: test-flatpak-manifest.py MANIFEST APP-ID
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

manifest_path, app_id = sys.argv[1], sys.argv[2]
manifest = json.load(open(manifest_path, encoding='utf-8'))
modules = {m['name']: m for m in manifest['modules']}

# What the app needs and no more: a display, GPU rendering and its own folder. Files
# from elsewhere arrive through the FileChooser and document portals.
EXPECTED_FINISH_ARGS = {
    '--share=ipc',
    '--socket=fallback-x11',
    '--socket=wayland',
    '--device=dri',
    '--filesystem=~/.avfs:create',
}


def check_ids():
    assert manifest['id'] == app_id, manifest['id']
    assert manifest['command'] == 'avfs', manifest['command']


def check_runtime():
    assert manifest['runtime'] == 'org.gnome.Platform'
    assert manifest['sdk'] == 'org.gnome.Sdk'
    assert manifest['runtime-version'] == '50', manifest['runtime-version']


def check_module_order():
    names = [m['name'] for m in manifest['modules']]
    assert names == ['lmdb', 'rocksdb', 'xapian-core', 'avfs'], names


def check_pinned_sources():
    for name in ('lmdb', 'rocksdb', 'xapian-core'):
        archives = [s for s in modules[name]['sources'] if s['type'] == 'archive']
        assert len(archives) == 1, (name, archives)
        assert archives[0]['url'].startswith('https://'), archives[0]['url']
        assert re.fullmatch(r'[0-9a-f]{64}', archives[0]['sha256']), (name, archives[0])


def check_lmdb_pkgconfig():
    lmdb = modules['lmdb']
    pc = [s for s in lmdb['sources'] if s.get('dest-filename') == 'lmdb.pc']
    assert len(pc) == 1 and '-llmdb' in pc[0]['contents'], pc
    assert any('lib/pkgconfig/lmdb.pc' in c for c in lmdb['build-commands'])


def check_rocksdb_options():
    opts = set(modules['rocksdb']['config-opts'])
    for wanted in ('-DWITH_TESTS=OFF', '-DWITH_GFLAGS=OFF', '-DROCKSDB_BUILD_SHARED=ON',
                   '-DPORTABLE=1'):
        assert wanted in opts, wanted
    assert modules['rocksdb']['buildsystem'].startswith('cmake')


def check_app_module():
    app = modules['avfs']
    assert app['buildsystem'] == 'meson'
    assert {'-Dlmdb=enabled', '-Drocksdb=enabled'} <= set(app['config-opts'])


def check_least_permissions():
    args = set(manifest['finish-args'])
    assert args == EXPECTED_FINISH_ARGS, sorted(args ^ EXPECTED_FINISH_ARGS)


def check_flatpak_builder():
    if shutil.which('flatpak-builder') is None:
        return 'SKIP flatpak-builder is not installed'
    # It leaves a .flatpak-builder state folder in its working directory.
    with tempfile.TemporaryDirectory() as scratch:
        run = subprocess.run(['flatpak-builder', '--show-manifest',
                              os.path.abspath(manifest_path)],
                             capture_output=True, text=True, cwd=scratch)
    assert run.returncode == 0, run.stderr
    assert 'WARNING' not in run.stderr, run.stderr
    return None


checks = [check_ids, check_runtime, check_module_order, check_pinned_sources,
          check_lmdb_pkgconfig, check_rocksdb_options, check_app_module,
          check_least_permissions, check_flatpak_builder]
print(f'1..{len(checks)}')
failed = 0
for number, check in enumerate(checks, 1):
    name = check.__name__.removeprefix('check_').replace('_', '-')
    try:
        skip = check()
        print(f'ok {number} {name}' + (f' # {skip}' if skip else ''))
    except (AssertionError, KeyError) as e:
        failed += 1
        print(f'not ok {number} {name}')
        print(f'# {type(e).__name__}: {e}')
sys.exit(1 if failed else 0)
